using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;

namespace IoTRoutes.Core.Communicators.Actions;

/// <summary>
/// A list in a workflow item as CSV (RFC 4180, UTF-8): one row per object, one column per member in the order first
/// met, nested objects as dotted columns (<c>fields.temp.mean</c>), lists as JSON text. Values that a spreadsheet would
/// evaluate (=, +, -, @) are escaped.
/// </summary>
public static class ItemCsv
{
    public const int MaxRows = 100_000;

    /// <param name="rowsField">The field (dots for nested ones) holding the list; the item itself is one row when null.</param>
    public static (byte[]? Csv, string? Problem) Write(JsonObject item, string? rowsField)
    {
        var rows = new List<JsonObject>();
        if (rowsField is null)
        {
            rows.Add(item);
        }
        else
        {
            JsonNode? node = item;
            foreach (var part in rowsField.Split('.')) node = node is JsonObject o ? o[part] : null;
            if (node is not JsonArray list) return (null, $"The item has no list in the field \"{rowsField}\" to make a CSV of.");
            if (list.Count > MaxRows) return (null, $"The list in \"{rowsField}\" has {list.Count} entries; a CSV holds at most {MaxRows}.");
            foreach (var entry in list)
            {
                rows.Add(entry as JsonObject ?? new JsonObject { ["value"] = entry?.DeepClone() });
            }
        }

        var flat = rows.ConvertAll(Flatten);
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in flat.SelectMany(r => r.Keys)) if (seen.Add(column)) columns.Add(column);

        if (columns.Count == 0)
        {
            return rowsField is null ? (null, "The item has no fields to make a CSV of.") : ([], null); // an empty list: an empty file
        }

        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { Injection = CsvInjection.Escape, FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true))
        {
            csv.WriteRecord(columns.ToArray());
            foreach (var row in flat) csv.WriteRecord(columns.Select(c => row.GetValueOrDefault(c) ?? "").ToArray());
        }

        return (Encoding.UTF8.GetBytes(text.ToString()), null);
    }

    private static Dictionary<string, string?> Flatten(JsonObject row)
    {
        var cells = new Dictionary<string, string?>(StringComparer.Ordinal);
        Add(cells, "", row);
        return cells;
    }

    private static void Add(Dictionary<string, string?> cells, string prefix, JsonObject obj)
    {
        foreach (var (name, value) in obj)
        {
            var column = prefix + name;
            if (value is JsonObject nested) Add(cells, column + ".", nested);
            else cells[column] = Text(value);
        }
    }

    private static string? Text(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        JsonValue v => v.ToJsonString(),
        _ => value.ToJsonString(),
    };
}
