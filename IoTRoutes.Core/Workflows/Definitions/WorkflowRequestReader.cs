using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Definitions;

public static class WorkflowRules
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 1000;
    public const int MaxNoteLength = 500;
    public const int MaxTestCases = 100;
}

/// <summary>
/// Reads the bodies of workflow requests strictly, every error at its place: <c>name</c>, <c>definition.nodes[2].id</c>,
/// <c>testCases[1].input</c>. The page and the API send the same JSON.
/// </summary>
public static class WorkflowRequestReader
{
    public static (CreateWorkflowRequest? Request, Dictionary<string, string[]> Errors) ReadCreate(JsonObject body)
    {
        var errors = new Dictionary<string, string[]>();
        var name = Name(body, errors, required: true);
        var description = Description(body, errors);
        var entityId = EntityId(body, errors);
        var graph = Definition(body, errors, required: true);
        var tests = TestCases(body, errors);
        return errors.Count > 0 ? (null, errors) : (new CreateWorkflowRequest(name!, description, entityId, graph!, tests ?? []), errors);
    }

    public static (UpdateWorkflowRequest? Request, Dictionary<string, string[]> Errors) ReadUpdate(JsonObject body)
    {
        var errors = new Dictionary<string, string[]>();
        int? revision = body["revision"] is JsonValue r && r.TryGetValue<int>(out var n) && n > 0 ? n : null;
        if (revision is null) errors["revision"] = ["Send the revision the draft was loaded at (a save from an older one is refused)."];
        var name = Name(body, errors, required: false);
        var description = Description(body, errors);
        var graph = Definition(body, errors, required: true);
        var tests = TestCases(body, errors);
        return errors.Count > 0 ? (null, errors) : (new UpdateWorkflowRequest(revision!.Value, name, description, graph!, tests), errors);
    }

    /// <summary>
    /// An import: <c>{"entityId"?, "name"?, "document": {...}}</c>, the document as <see cref="WorkflowDocument"/> writes
    /// it. Its errors are at <c>document.format</c>, <c>document.definition.nodes[2].id</c> and so on; a document of another
    /// format or version is not read further. Node types are checked by the service, which knows the catalog.
    /// </summary>
    public static (ImportWorkflowRequest? Request, Dictionary<string, string[]> Errors) ReadImport(JsonObject body)
    {
        var errors = new Dictionary<string, string[]>();
        var entityId = EntityId(body, errors);
        var name = Name(body, errors, required: false);
        if (body["document"] is not JsonObject document)
        {
            errors["document"] = [$"Send the exported workflow as document: {{\"format\":\"{WorkflowDocument.Kind}\",\"version\":{WorkflowDocument.CurrentVersion},\"name\",\"definition\",...}}."];
            return (null, errors);
        }

        var inner = new Dictionary<string, string[]>();
        string? documentName = null, description = null;
        WorkflowGraph? graph = null;
        List<WorkflowTestCase>? tests = null;
        if (document["format"] is not JsonValue f || !f.TryGetValue<string>(out var format) || format != WorkflowDocument.Kind)
        {
            inner["format"] = [$"This is not an exported workflow: its format is \"{WorkflowDocument.Kind}\"."];
        }
        else if (document["version"] is not JsonValue v || !v.TryGetValue<int>(out var version) || version != WorkflowDocument.CurrentVersion)
        {
            inner["version"] = [$"This server reads version {WorkflowDocument.CurrentVersion} of the format, not {document["version"]?.ToJsonString() ?? "none"}."];
        }
        else
        {
            documentName = name is null ? Name(document, inner, required: true) : null;
            description = Description(document, inner);
            graph = Definition(document, inner, required: true);
            tests = TestCases(document, inner);
        }

        foreach (var (place, messages) in inner) errors[$"document.{place}"] = messages;
        return errors.Count > 0
            ? (null, errors)
            : (new ImportWorkflowRequest(entityId, name, name ?? documentName!, description, graph!, tests ?? []), errors);
    }

    private static Guid? EntityId(JsonObject body, Dictionary<string, string[]> errors)
    {
        if (body["entityId"] is not { } entity) return null;
        if (entity is JsonValue v && v.TryGetValue<string>(out var text) && Guid.TryParse(text, out var id)) return id;
        errors["entityId"] = ["entityId is an entity's id."];
        return null;
    }

    private static string? Name(JsonObject body, Dictionary<string, string[]> errors, bool required)
    {
        if (body["name"] is null)
        {
            if (required) errors["name"] = ["A workflow needs a name."];
            return null;
        }

        if (body["name"] is not JsonValue v || !v.TryGetValue<string>(out var text) || string.IsNullOrWhiteSpace(text))
        {
            errors["name"] = ["A workflow needs a name."];
            return null;
        }

        text = text.Trim();
        var problem = text.Length > WorkflowRules.MaxNameLength ? $"A name is at most {WorkflowRules.MaxNameLength} characters." : DisplayText.Problem(text);
        if (problem is null) return DisplayText.Clean(text);
        errors["name"] = [problem];
        return null;
    }

    private static string? Description(JsonObject body, Dictionary<string, string[]> errors)
    {
        switch (body["description"])
        {
            case null:
                return null;
            case JsonValue v when v.TryGetValue<string>(out var text) && text.Length <= WorkflowRules.MaxDescriptionLength:
                return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
            default:
                errors["description"] = [$"A description is a text of at most {WorkflowRules.MaxDescriptionLength} characters."];
                return null;
        }
    }

    private static WorkflowGraph? Definition(JsonObject body, Dictionary<string, string[]> errors, bool required)
    {
        if (body["definition"] is null)
        {
            if (required) errors["definition"] = ["Send the definition: {\"nodes\":[...],\"links\":[...]}."];
            return null;
        }

        var (graph, graphErrors) = WorkflowGraph.Read(body["definition"]);
        foreach (var (place, messages) in graphErrors)
        {
            errors[place == "definition" ? place : $"definition.{place}"] = messages;
        }

        return graph;
    }

    private static List<WorkflowTestCase>? TestCases(JsonObject body, Dictionary<string, string[]> errors)
    {
        if (body["testCases"] is null) return null;
        if (body["testCases"] is not JsonArray array)
        {
            errors["testCases"] = ["testCases is a list."];
            return null;
        }

        if (array.Count > WorkflowRules.MaxTestCases) errors["testCases"] = [$"At most {WorkflowRules.MaxTestCases} test cases."];
        var cases = new List<WorkflowTestCase>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            var place = $"testCases[{i}]";
            WorkflowTestCase? test;
            try
            {
                test = array[i]?.Deserialize<WorkflowTestCase>(WorkflowGraph.Json);
            }
            catch (JsonException e)
            {
                errors[place] = [$"A test case is {{\"name\",\"input\" or \"messageId\",\"deviceId\",\"expected\"}}: {e.Message}"];
                continue;
            }

            if (test is null || string.IsNullOrWhiteSpace(test.Name)) errors[$"{place}.name"] = ["A test case needs a name."];
            else if (!names.Add(test.Name)) errors[$"{place}.name"] = [$"Another test case is named {test.Name}."];
            var inputError = test switch
            {
                null => null,
                { Input: null, MessageId: null } => "A test case needs an input (the item's fields as an object) or a stored message's id (messageId).",
                { Input: not null, MessageId: not null } => "A test case has an input or a messageId, not both.",
                { MessageId: not null, DeviceId: not null } => "A stored message names its device: deviceId goes only with an input.",
                _ => null,
            };
            if (inputError is not null) errors[$"{place}.input"] = [inputError];
            if (test is { Name: not null } && inputError is null) cases.Add(test);
        }

        return cases;
    }
}
