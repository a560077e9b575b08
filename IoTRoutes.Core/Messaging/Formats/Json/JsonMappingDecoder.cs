using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats.Decoding;

namespace IoTRoutes.Core.Messaging.Formats.Json;

/// <summary>A <c>Json</c> format version, its paths parsed once: maps a JSON payload's values to typed fields.</summary>
public sealed class JsonMappingDecoder : IPayloadDecoder
{
    private readonly (JsonPath Path, ValueRule Rule)[] _fields;
    private readonly JsonPath? _readings;
    private readonly JsonPath? _timestamp;
    private readonly TimestampEncoding _timestampEncoding;

    private JsonMappingDecoder((JsonPath, ValueRule)[] fields, JsonPath? readings, JsonPath? timestamp, TimestampEncoding encoding) =>
        (_fields, _readings, _timestamp, _timestampEncoding) = (fields, readings, timestamp, encoding);

    /// <summary>The decoder, or the problems of the settings, each keyed by its place (<c>fields[2].path</c>).</summary>
    public static (JsonMappingDecoder? Decoder, Dictionary<string, string[]> Errors) Build(JsonMapping mapping)
    {
        var errors = new Dictionary<string, string[]>();
        var fields = new List<(JsonPath, ValueRule)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var list = mapping.Fields ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var f = list[i];
            if (f is null) { errors[$"fields[{i}]"] = ["A field cannot be null."]; continue; }
            if (!JsonPath.TryParse(f.Path, out var path, out var pathError)) errors[$"fields[{i}].path"] = [pathError!];
            if (string.IsNullOrWhiteSpace(f.Name)) errors[$"fields[{i}].name"] = ["A field needs a name."];
            else if (!names.Add(f.Name.Trim())) errors[$"fields[{i}].name"] = [$"\"{f.Name}\" is mapped twice."];
            if (!double.IsFinite(f.Scale) || f.Scale == 0) errors[$"fields[{i}].scale"] = ["The scale must be a non-zero number."];
            if (path is not null && !string.IsNullOrWhiteSpace(f.Name))
            {
                fields.Add((path, new ValueRule(f.Name.Trim(), f.Type, f.Scale, f.Offset, f.Unit, f.Required)));
            }
        }

        if (mapping.Template is not null && Encoders.JsonTemplate.Parse(mapping.Template).Error is { } templateError)
        {
            errors["template"] = [templateError];
        }

        JsonPath? readings = null, timestamp = null;
        if (mapping.ReadingsPath is not null && !JsonPath.TryParse(mapping.ReadingsPath, out readings, out var readingsError))
        {
            errors["readingsPath"] = [readingsError!];
        }

        if (mapping.TimestampPath is not null && !JsonPath.TryParse(mapping.TimestampPath, out timestamp, out var timestampError))
        {
            errors["timestampPath"] = [timestampError!];
        }

        return errors.Count > 0 ? (null, errors) : (new JsonMappingDecoder([.. fields], readings, timestamp, mapping.TimestampEncoding), errors);
    }

    public DecodedMessage Decode(DecodeInput input)
    {
        if (_fields.Length == 0 && _readings is null)
        {
            return KeepWhole(input);
        }

        // A parsed document, not nodes: only the mapped values become nodes (about half the time of JsonNode.Parse).
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(input.Payload);
        }
        catch (JsonException e)
        {
            return DecodedMessage.Failed(JsonSyntaxProblem.Of(e, input.Payload.Span));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Null)
            {
                return DecodedMessage.Failed("The payload is JSON null, not an object.");
            }

            var errors = new List<string>();
            var warnings = new List<string>();
            JsonObject data;
            if (_readings is not null)
            {
                if (_readings.Select(root) is not { ValueKind: JsonValueKind.Array } items)
                {
                    return DecodedMessage.Failed($"Readings: {_readings.Text} is not an array in this payload.");
                }

                var readings = new JsonArray();
                var i = 0;
                foreach (var item in items.EnumerateArray())
                {
                    readings.Add(Map(item, errors, $"readings[{i++}] "));
                }

                data = new JsonObject { ["readings"] = readings };
            }
            else
            {
                data = Map(root, errors, "");
            }

            var deviceTime = _timestamp is null ? null : ReadTimestamp(root, input.ReceivedAt, warnings);
            return errors.Count > 0 ? new DecodedMessage(null, null, warnings, errors) : DecodedMessage.Of(data, deviceTime, warnings);
        }
    }

    /// <summary>Without mappings, the payload's object is the data as it is.</summary>
    private DecodedMessage KeepWhole(DecodeInput input)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(input.Payload.Span);
            _ = (root as JsonObject)?.Count; // members are read lazily: a duplicate key throws here
        }
        catch (JsonException e)
        {
            return DecodedMessage.Failed(JsonSyntaxProblem.Of(e, input.Payload.Span));
        }
        catch (ArgumentException e)
        {
            return DecodedMessage.Failed(JsonSyntaxProblem.OfDuplicate(e));
        }

        if (root is not JsonObject whole)
        {
            return DecodedMessage.Failed(root is null ? "The payload is JSON null, not an object." : $"The payload is a JSON {root.GetValueKind().ToString().ToLowerInvariant()}, not an object.");
        }

        var warnings = new List<string>();
        var deviceTime = _timestamp is null ? null : ReadTimestamp(JsonSerializer.SerializeToElement(whole), input.ReceivedAt, warnings);
        return DecodedMessage.Of(whole, deviceTime, warnings);
    }

    private JsonObject Map(JsonElement source, List<string> errors, string where)
    {
        var data = new JsonObject();
        foreach (var (path, rule) in _fields)
        {
            if (path.Select(source) is not { } element)
            {
                if (rule.Required) errors.Add($"{where}\"{rule.Name}\" is missing ({path.Text}).");
                continue;
            }

            var (value, error) = rule.FromJson(element);
            if (error is not null) errors.Add(where + error);
            else data[rule.Name] = value;
        }

        return data;
    }

    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The device's time, if it is plausible: after 2000 and at most a day ahead of the receive time.</summary>
    private DateTimeOffset? ReadTimestamp(JsonElement root, DateTimeOffset received, List<string> warnings)
    {
        var element = _timestamp!.Select(root);
        DateTimeOffset? time = (_timestampEncoding, element?.ValueKind) switch
        {
            (TimestampEncoding.Iso8601, JsonValueKind.String) when DateTimeOffset.TryParse(element!.Value.GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) => parsed,
            (TimestampEncoding.EpochSeconds, JsonValueKind.Number) when element!.Value.TryGetDouble(out var s) && s is > 0 and < 1e11 =>
                DateTimeOffset.UnixEpoch.AddMilliseconds(Math.Round(s * 1000)),
            (TimestampEncoding.EpochMilliseconds, JsonValueKind.Number) when element!.Value.TryGetDouble(out var ms) && ms is > 0 and < 1e14 =>
                DateTimeOffset.UnixEpoch.AddMilliseconds(Math.Round(ms)),
            _ => null,
        };
        if (time is null || time < Earliest || time > received.AddDays(1))
        {
            warnings.Add(time is null
                ? $"No device timestamp at {_timestamp.Text} ({_timestampEncoding}): the receive time is used."
                : $"The device timestamp {time:u} is implausible (before 2000 or more than a day ahead): the receive time is used.");
            return null;
        }

        return time;
    }
}
