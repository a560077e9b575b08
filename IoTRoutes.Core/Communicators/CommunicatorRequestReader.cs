using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Communicators;

/// <summary>
/// Splits a flat request body (<c>{"name","kind":"Smtp","host",...,"password"}</c>) into a <see cref="CommunicatorRequest"/>:
/// the kind's secret paths are taken out of the settings, whatever else is kept as settings for the kind to check.
/// </summary>
public static class CommunicatorRequestReader
{
    private static readonly string[] Envelope = ["name", "kind", "entityId", "enabled"];

    /// <param name="storedKind">On update, the communicator's kind (it cannot change); null on create.</param>
    public static (CommunicatorRequest? Request, IReadOnlyDictionary<string, string[]> Errors) Read(
        JsonObject body, CommunicatorKind? storedKind, IReadOnlyDictionary<CommunicatorKind, ICommunicatorKind> kinds)
    {
        var errors = new Dictionary<string, string[]>();
        var kindText = Text(body, "kind", errors);
        CommunicatorKind? kind = storedKind;
        if (kindText is not null)
        {
            if (!Enum.TryParse<CommunicatorKind>(kindText, ignoreCase: true, out var parsed) || !char.IsLetter(kindText[0]))
                errors["kind"] = [$"The kind is one of {string.Join(", ", Enum.GetNames<CommunicatorKind>())}."];
            else if (storedKind is { } stored && parsed != stored)
                errors["kind"] = [$"A communicator keeps its kind ({stored}); create another one for {parsed}."];
            else kind = parsed;
        }
        else if (storedKind is null) errors["kind"] = [$"Choose a kind: {string.Join(", ", Enum.GetNames<CommunicatorKind>())}."];

        var name = Text(body, "name", errors);
        Guid? entityId = null;
        if (Text(body, "entityId", errors) is { } entityText)
        {
            if (Guid.TryParse(entityText, out var id)) entityId = id;
            else errors["entityId"] = [$"'{entityText}' is not an entity id."];
        }

        bool? enabled = null;
        if (body["enabled"] is { } enabledNode)
        {
            if (enabledNode.GetValueKind() is JsonValueKind.True or JsonValueKind.False) enabled = enabledNode.GetValue<bool>();
            else errors["enabled"] = ["enabled is true or false."];
        }

        if (errors.Count > 0 || kind is null || !kinds.TryGetValue(kind.Value, out var handler)) return (null, errors);
        var settings = (JsonObject)body.DeepClone();
        foreach (var field in Envelope) settings.Remove(field);
        var secrets = new Dictionary<string, string?>();
        foreach (var path in handler.SecretPaths)
        {
            if (Take(settings, path) is not { } node) continue; // absent or null: the stored secret stays
            if (node.GetValueKind() != JsonValueKind.String) errors[path] = [$"{path} is a text."];
            else secrets[path] = node.GetValue<string>();
        }

        return errors.Count > 0 ? (null, errors) : (new CommunicatorRequest(name, kind, entityId, enabled, settings, secrets), errors);
    }

    /// <summary>Removes and returns the node at a dotted path, or null when absent or JSON null.</summary>
    private static JsonNode? Take(JsonObject settings, string path)
    {
        var parts = path.Split('.');
        JsonObject? parent = settings;
        for (var i = 0; i < parts.Length - 1 && parent is not null; i++) parent = parent[parts[i]] as JsonObject;
        if (parent is null || !parent.TryGetPropertyValue(parts[^1], out var node)) return null;
        parent.Remove(parts[^1]);
        return node;
    }

    private static string? Text(JsonObject body, string field, Dictionary<string, string[]> errors)
    {
        if (body[field] is not { } node) return null;
        if (node.GetValueKind() == JsonValueKind.String) return node.GetValue<string>();
        errors[field] = [$"{field} is a text."];
        return null;
    }
}
