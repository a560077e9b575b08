using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IoTRoutes.Core.Workflows.Model;

/// <summary>
/// A workflow as the designer draws it and the engine runs it: nodes (a trigger first, then actions) with their settings
/// and positions, and links between named ports. Stored as this JSON; nothing else describes a workflow.
/// </summary>
public sealed record WorkflowGraph(IReadOnlyList<WorkflowNode> Nodes, IReadOnlyList<WorkflowLink> Links)
{
    public const int MaxNodes = 500;
    public const int MaxLinks = 2000;
    public const int MaxNotes = 200;

    /// <summary>Comment notes on the canvas: for people only, the engine never reads them.</summary>
    [JsonIgnore]
    public IReadOnlyList<WorkflowNote> Notes { get; init; } = [];

    /// <summary>The notes as stored: left out when there are none, so a definition without notes reads as it always did.</summary>
    [JsonPropertyName("notes")]
    public IReadOnlyList<WorkflowNote>? StoredNotes => Notes.Count == 0 ? null : Notes;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static readonly WorkflowGraph Empty = new([], []);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public JsonObject ToJsonObject() => JsonSerializer.SerializeToNode(this, Json)!.AsObject();

    /// <summary>The trigger: the first node.</summary>
    [JsonIgnore]
    public WorkflowNode? Trigger => Nodes.Count > 0 ? Nodes[0] : null;

    /// <summary>
    /// Reads a definition strictly: every node needs an id and a type, ids are unique, every link names nodes that exist;
    /// errors are keyed by their place (<c>nodes[2].id</c>, <c>links[0].to</c>).
    /// </summary>
    public static (WorkflowGraph? Graph, Dictionary<string, string[]> Errors) Read(JsonNode? definition)
    {
        var errors = new Dictionary<string, string[]>();
        if (definition is not JsonObject root)
        {
            errors["definition"] = ["The definition is an object: {\"nodes\":[...],\"links\":[...]}."];
            return (null, errors);
        }

        var nodes = new List<WorkflowNode>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var nodeArray = root["nodes"] as JsonArray;
        if (root["nodes"] is not null && nodeArray is null) errors["nodes"] = ["nodes is an array."];
        for (var i = 0; i < (nodeArray?.Count ?? 0); i++)
        {
            var place = $"nodes[{i}]";
            if (nodeArray![i] is not JsonObject node)
            {
                errors[place] = ["A node is an object: {\"id\",\"type\",\"settings\"}."];
                continue;
            }

            var id = Text(node, "id", place, errors, required: true, max: 64);
            var type = Text(node, "type", place, errors, required: true, max: 64);
            var name = Text(node, "name", place, errors, required: false, max: 200);
            var settings = node["settings"] switch
            {
                null => [],
                JsonObject o => (JsonObject)o.DeepClone(),
                _ => Error<JsonObject>(errors, $"{place}.settings", "settings is an object."),
            };
            var x = Number(node, "x", place, errors);
            var y = Number(node, "y", place, errors);
            if (id is not null && !ids.Add(id)) errors[$"{place}.id"] = [$"Another node already has the id {id}."];
            if (id is not null && type is not null && settings is not null)
            {
                nodes.Add(new WorkflowNode(id, type, name, settings, x, y));
            }
        }

        var links = new List<WorkflowLink>();
        var linkArray = root["links"] as JsonArray;
        if (root["links"] is not null && linkArray is null) errors["links"] = ["links is an array."];
        for (var i = 0; i < (linkArray?.Count ?? 0); i++)
        {
            var place = $"links[{i}]";
            if (linkArray![i] is not JsonObject link)
            {
                errors[place] = ["A link is an object: {\"from\",\"fromPort\",\"to\",\"toPort\"}."];
                continue;
            }

            var from = Text(link, "from", place, errors, required: true, max: 64);
            var to = Text(link, "to", place, errors, required: true, max: 64);
            var fromPort = Text(link, "fromPort", place, errors, required: false, max: 64) ?? WorkflowPorts.Out;
            var toPort = Text(link, "toPort", place, errors, required: false, max: 64) ?? WorkflowPorts.In;
            if (from is not null && !ids.Contains(from)) errors[$"{place}.from"] = [$"No node has the id {from}."];
            if (to is not null && !ids.Contains(to)) errors[$"{place}.to"] = [$"No node has the id {to}."];
            if (from is not null && to is not null)
            {
                var added = new WorkflowLink(from, to) { FromPort = fromPort, ToPort = toPort };
                if (links.Contains(added)) errors[place] = ["The same link is there twice."];
                else links.Add(added);
            }
        }

        var notes = new List<WorkflowNote>();
        var noteArray = root["notes"] as JsonArray;
        if (root["notes"] is not null && noteArray is null) errors["notes"] = ["notes is an array."];
        for (var i = 0; i < (noteArray?.Count ?? 0); i++)
        {
            var place = $"notes[{i}]";
            if (noteArray![i] is not JsonObject note)
            {
                errors[place] = ["A note is an object: {\"id\",\"text\",\"x\",\"y\"}."];
                continue;
            }

            var id = Text(note, "id", place, errors, required: true, max: 64);
            var text = note["text"] switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var t) && t.Length <= 2000 => t,
                _ => Error<string>(errors, $"{place}.text", "text is a text of at most 2,000 characters."),
            };
            var x = Number(note, "x", place, errors);
            var y = Number(note, "y", place, errors);
            if (id is not null && !ids.Add(id)) errors[$"{place}.id"] = [$"A node or another note already has the id {id}."];
            if (id is not null && text is not null) notes.Add(new WorkflowNote(id, text, x, y));
        }

        if (nodes.Count > MaxNodes) errors["nodes"] = [$"A workflow has at most {MaxNodes} nodes."];
        if (links.Count > MaxLinks) errors["links"] = [$"A workflow has at most {MaxLinks} links."];
        if (notes.Count > MaxNotes) errors["notes"] = [$"A workflow has at most {MaxNotes} notes."];
        return errors.Count > 0 ? (null, errors) : (new WorkflowGraph(nodes, links) { Notes = notes }, errors);
    }

    /// <summary>Reads stored JSON (written by <see cref="ToJson"/>, so already valid).</summary>
    public static WorkflowGraph Parse(string json) =>
        Read(JsonNode.Parse(json)) is { Graph: { } graph } ? graph : throw new InvalidOperationException("A stored workflow definition does not read.");

    private static string? Text(JsonObject node, string key, string place, Dictionary<string, string[]> errors, bool required, int max)
    {
        switch (node[key])
        {
            case null when required:
                errors[$"{place}.{key}"] = [$"{key} is required."];
                return null;
            case null:
                return null;
            case JsonValue value when value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text):
                if (text.Length <= max) return text.Trim();
                errors[$"{place}.{key}"] = [$"{key} is at most {max} characters."];
                return null;
            default:
                errors[$"{place}.{key}"] = [$"{key} is a non-empty text."];
                return null;
        }
    }

    private static double Number(JsonObject node, string key, string place, Dictionary<string, string[]> errors)
    {
        if (node[key] is null) return 0;
        if (node[key] is JsonValue value && value.TryGetValue<double>(out var number) && double.IsFinite(number)) return number;
        errors[$"{place}.{key}"] = [$"{key} is a number."];
        return 0;
    }

    private static T? Error<T>(Dictionary<string, string[]> errors, string place, string message)
    {
        errors[place] = [message];
        return default;
    }
}

/// <summary>A comment note on the canvas: its text and where it is drawn.</summary>
public sealed record WorkflowNote(string Id, string Text, double X, double Y);

/// <summary>One node: a trigger or an action, its settings (read by its action), and where the designer draws it.</summary>
public sealed record WorkflowNode(string Id, string Type, string? Name, JsonObject Settings, double X, double Y);

/// <summary>A link from a node's output port to another node's input port.</summary>
public sealed record WorkflowLink(string From, string To)
{
    public string FromPort { get; init; } = WorkflowPorts.Out;
    public string ToPort { get; init; } = WorkflowPorts.In;
}

/// <summary>The port names every node shares.</summary>
public static class WorkflowPorts
{
    public const string In = "in";
    public const string Out = "out";

    /// <summary>Every node has it: an error goes there when it is linked; otherwise the run fails.</summary>
    public const string Error = "error";
}
