using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IoTRoutes.Core.Security.Audit;

/// <summary>
/// Before/after for an audit entry: "port: 1883 -> 1884; protocols: [...] -> [...]" for each setting that changed.
/// Callers pass snapshots that hold no secrets (a snapshot is what an API reader may see anyway).
/// </summary>
public static class AuditChanges
{
    private const int MaxValueLength = 80;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The value as a JSON object, without <paramref name="leaveOut"/> (live status, counters, timestamps).</summary>
    public static JsonObject Snapshot<T>(T value, params string[] leaveOut)
    {
        var node = JsonSerializer.SerializeToNode(value, Json)!.AsObject();
        foreach (var name in leaveOut)
        {
            node.Remove(JsonNamingPolicy.CamelCase.ConvertName(name));
        }

        return node;
    }

    /// <summary>"name: old -> new" per changed property (nested objects by dotted path), or "no change".</summary>
    public static string Between(JsonObject before, JsonObject after)
    {
        var changes = new List<string>();
        Compare("", before, after, changes);
        return changes.Count == 0 ? "no change" : string.Join("; ", changes);
    }

    private static void Compare(string prefix, JsonObject before, JsonObject after, List<string> changes)
    {
        foreach (var key in before.Select(p => p.Key).Union(after.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            var (old, now) = (before[key], after[key]);
            if (old is JsonObject o && now is JsonObject n)
            {
                Compare($"{prefix}{key}.", o, n, changes);
            }
            else if (!JsonNode.DeepEquals(old, now))
            {
                changes.Add($"{prefix}{key}: {Short(old)} -> {Short(now)}");
            }
        }
    }

    private static string Short(JsonNode? value)
    {
        var text = value is null ? "(none)" : value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString(Json);
        return text.Length <= MaxValueLength ? text : text[..(MaxValueLength - 3)] + "...";
    }
}
