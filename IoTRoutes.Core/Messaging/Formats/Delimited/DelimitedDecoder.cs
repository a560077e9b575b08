using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using IoTRoutes.Core.Messaging.Formats.Decoding;

namespace IoTRoutes.Core.Messaging.Formats.Delimited;

/// <summary>A <c>Delimited</c> format version: CSV values or key=value pairs to typed fields.</summary>
public sealed class DelimitedDecoder : IPayloadDecoder
{
    private readonly DelimitedLayout _layout;
    private readonly (DelimitedColumn Column, ValueRule Rule)[] _columns;

    private DelimitedDecoder(DelimitedLayout layout, (DelimitedColumn, ValueRule)[] columns) => (_layout, _columns) = (layout, columns);

    public static (DelimitedDecoder? Decoder, Dictionary<string, string[]> Errors) Build(DelimitedLayout layout)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(layout.Separator)) errors["separator"] = ["A separator is needed, such as , or ;."];
        if (layout.Style == DelimitedStyle.KeyValue && string.IsNullOrEmpty(layout.PairSeparator)) errors["pairSeparator"] = ["Key=value needs a pair separator, such as =."];
        if (layout.Style == DelimitedStyle.Csv && layout.Columns is not { Count: > 0 }) errors["columns"] = ["CSV needs at least one column."];
        var columns = new List<(DelimitedColumn, ValueRule)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var list = layout.Columns ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var c = list[i];
            if (c is null) { errors[$"columns[{i}]"] = ["A column cannot be null."]; continue; }
            if (string.IsNullOrWhiteSpace(c.Name)) errors[$"columns[{i}].name"] = ["A column needs a field name."];
            else if (!names.Add(c.Name.Trim())) errors[$"columns[{i}].name"] = [$"\"{c.Name}\" is mapped twice."];
            if (layout.Style == DelimitedStyle.Csv && c.Index is not >= 0) errors[$"columns[{i}].index"] = ["A CSV column needs its index, from 0."];
            if (layout.Style == DelimitedStyle.KeyValue && string.IsNullOrWhiteSpace(c.Key)) errors[$"columns[{i}].key"] = ["A key=value column needs its key."];
            if (!double.IsFinite(c.Scale) || c.Scale == 0) errors[$"columns[{i}].scale"] = ["The scale must be a non-zero number."];
            if (!string.IsNullOrWhiteSpace(c.Name)) columns.Add((c, new ValueRule(c.Name.Trim(), c.Type, c.Scale, c.Offset, c.Unit, c.Required)));
        }

        return errors.Count > 0 ? (null, errors) : (new DelimitedDecoder(layout, [.. columns]), errors);
    }

    public DecodedMessage Decode(DecodeInput input)
    {
        var bytes = input.Payload.Span;
        if (!Utf8.IsValid(bytes))
        {
            return DecodedMessage.Failed("Delimited: the payload is not UTF-8 text.");
        }

        var text = Encoding.UTF8.GetString(bytes).Trim();
        if (text.Length == 0)
        {
            return DecodedMessage.Failed("Delimited: the payload is empty.");
        }

        var errors = new List<string>();
        var data = _layout.Style == DelimitedStyle.Csv ? FromCsv(text, errors) : FromPairs(text, errors);
        return errors.Count > 0 ? new DecodedMessage(null, null, [], errors) : DecodedMessage.Of(data);
    }

    private JsonObject FromCsv(string text, List<string> errors)
    {
        var line = text.Split('\n')[0].TrimEnd('\r');
        var values = SplitCsv(line, _layout.Separator);
        var data = new JsonObject();
        foreach (var (column, rule) in _columns)
        {
            if (column.Index!.Value >= values.Count || values[column.Index.Value].Length == 0)
            {
                if (rule.Required) errors.Add($"\"{rule.Name}\" is missing (column {column.Index}; the line has {values.Count}).");
                continue;
            }

            Put(data, rule, values[column.Index.Value], errors);
        }

        return data;
    }

    private JsonObject FromPairs(string text, List<string> errors)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(_layout.Separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var split = part.IndexOf(_layout.PairSeparator, StringComparison.Ordinal);
            if (split <= 0)
            {
                errors.Add($"\"{part}\" is not a key{_layout.PairSeparator}value pair.");
                continue;
            }

            pairs[part[..split].Trim()] = part[(split + _layout.PairSeparator.Length)..].Trim();
        }

        var data = new JsonObject();
        if (_columns.Length == 0)
        {
            foreach (var (key, value) in pairs)
            {
                data[key] = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                    ? JsonValue.Create(number) : JsonValue.Create(value);
            }

            return data;
        }

        foreach (var (column, rule) in _columns)
        {
            if (!pairs.TryGetValue(column.Key!, out var value))
            {
                if (rule.Required) errors.Add($"\"{rule.Name}\" is missing (key {column.Key}).");
                continue;
            }

            Put(data, rule, value, errors);
        }

        return data;
    }

    private static void Put(JsonObject data, ValueRule rule, string text, List<string> errors)
    {
        var (value, error) = rule.FromText(text);
        if (error is not null) errors.Add(error);
        else data[rule.Name] = value;
    }

    /// <summary>One CSV line's values: separators inside double quotes are kept, "" is a quote.</summary>
    private static List<string> SplitCsv(string line, string separator)
    {
        var values = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (quoted)
            {
                if (line[i] == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (line[i] == '"') quoted = false;
                else current.Append(line[i]);
            }
            else if (line[i] == '"') quoted = true;
            else if (string.CompareOrdinal(line, i, separator, 0, separator.Length) == 0)
            {
                values.Add(current.ToString().Trim());
                current.Clear();
                i += separator.Length - 1;
            }
            else current.Append(line[i]);
        }

        values.Add(current.ToString().Trim());
        return values;
    }
}
