using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>A decoded object as a flat list of fields (<c>gps_1.latitude</c>, <c>readings[0].temperature</c>), each with its unit.</summary>
public static class FormatFields
{
    public const int MaxFields = 200;

    /// <summary>
    /// A message's fields: from its normalized data when it has some (a script's <c>normalizeUplink</c>, with the units of
    /// the Device Repository's schema), else from its data.
    /// </summary>
    public static IReadOnlyList<FieldDto> Of(JsonObject? data, JsonNode? normalized, Func<string, string?> unitOf) =>
        normalized is null ? Of(data, unitOf) : OfNormalized(normalized);

    /// <summary>
    /// Normalized data is one measurement or several: their fields keep their own names (<c>air.temperature</c>) while no
    /// two measurements give the same one, and are told apart by their place otherwise (<c>[1].air.temperature</c>).
    /// </summary>
    private static IReadOnlyList<FieldDto> OfNormalized(JsonNode normalized)
    {
        if (normalized is JsonObject single) return Of(single, Script.NormalizedPayload.UnitOf);
        var fields = new List<FieldDto>();
        Walk(normalized, "", fields, Script.NormalizedPayload.UnitOf);
        var plain = fields.ConvertAll(f => f.Name.IndexOf("].", StringComparison.Ordinal) is > 0 and var end ? f with { Name = f.Name[(end + 2)..] } : f);
        return plain.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count() == plain.Count ? plain : fields;
    }

    public static IReadOnlyList<FieldDto> Of(JsonObject? data, Func<string, string?> unitOf)
    {
        var fields = new List<FieldDto>();
        if (data is not null) Walk(data, "", fields, unitOf);
        return fields;
    }

    private static void Walk(JsonNode? node, string name, List<FieldDto> fields, Func<string, string?> unitOf)
    {
        if (fields.Count >= MaxFields) return;
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o) Walk(child, name.Length == 0 ? key : $"{name}.{key}", fields, unitOf);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) Walk(a[i], $"{name}[{i}]", fields, unitOf);
                break;
            default:
                // The value stays a node of the data: fields are written out or read, never attached to another tree.
                fields.Add(new FieldDto(name, node, unitOf(name)));
                break;
        }
    }
}
