using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>A decoded object as a flat list of fields (<c>gps_1.latitude</c>, <c>readings[0].temperature</c>), each with its unit.</summary>
public static class FormatFields
{
    public const int MaxFields = 200;

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
                fields.Add(new FieldDto(name, node?.DeepClone(), unitOf(name)));
                break;
        }
    }
}
