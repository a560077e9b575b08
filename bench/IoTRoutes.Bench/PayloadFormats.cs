using System.Text.Json.Nodes;

namespace IoTRoutes.Bench;

/// <summary>
/// The message formats the harness gives its devices (<c>--format</c>), and the check after each run that the stored
/// messages were really decoded by them: a run that measured rejections would measure nothing.
/// </summary>
public static class PayloadFormats
{
    /// <summary>
    /// <see cref="Payloads.Layout"/> decoded in plain JavaScript the way a Device Repository codec is written: byte
    /// helpers with shifts, the f32 assembled from its bits, the scales as divisions, TS013's answer.
    /// </summary>
    public const string Codec = """
        // The bench's 24-byte uplink, big-endian.
        function uint16(bytes, i) { return (bytes[i] << 8) | bytes[i + 1]; }
        function int16(bytes, i) { var v = uint16(bytes, i); return v & 0x8000 ? v - 0x10000 : v; }
        function uint32(bytes, i) { return ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0; }
        function float32(bytes, i) {
          var bits = uint32(bytes, i);
          var exponent = (bits >>> 23) & 0xff;
          var fraction = bits & 0x7fffff;
          var magnitude = exponent === 0xff ? (fraction ? NaN : Infinity)
            : exponent === 0 ? fraction * Math.pow(2, -149)
            : (fraction + 0x800000) * Math.pow(2, exponent - 150);
          return bits >>> 31 ? -magnitude : magnitude;
        }

        function decodeUplink(input) {
          var bytes = input.bytes;
          if (bytes.length !== 24) {
            return { errors: ["Expected 24 bytes, got " + bytes.length + "."] };
          }

          return {
            data: {
              seq: uint32(bytes, 0),
              temperature: int16(bytes, 4) / 100,
              humidity: bytes[6] / 2,
              pressure: uint32(bytes, 7) / 100,
              battery: uint16(bytes, 11) / 1000,
              co2: uint16(bytes, 13),
              light: float32(bytes, 15),
              windSpeed: uint16(bytes, 19) / 100,
              soilTemperature: int16(bytes, 21) / 10,
              status: bytes[23]
            },
            warnings: [],
            errors: []
          };
        }
        """;

    /// <summary>The formats of a <c>--format</c> value: one, or json, binary and script for <c>all</c>.</summary>
    public static IReadOnlyList<PayloadFormat> Parse(string option) => option.ToLowerInvariant() switch
    {
        "json" => [PayloadFormat.Json],
        "binary" => [PayloadFormat.Binary],
        "script" => [PayloadFormat.Script],
        "all" => [PayloadFormat.Json, PayloadFormat.Binary, PayloadFormat.Script],
        _ => throw new ArgumentException($"Unknown format {option}: json, binary, script or all."),
    };

    /// <summary>The body of <c>POST /api/v1/formats</c> for <paramref name="format"/>; null for JSON (no profile: the built-in check).</summary>
    public static JsonObject? Definition(PayloadFormat format, string name) => format switch
    {
        PayloadFormat.Binary => new JsonObject
        {
            ["name"] = name, ["kind"] = "Binary", ["exchangeType"] = "Telemetry", ["topicPattern"] = "#", ["endianness"] = "Big",
            ["fields"] = new JsonArray([.. Payloads.Layout.Select(f => (JsonNode)new JsonObject
            {
                ["name"] = f.Name, ["type"] = f.Type, ["scale"] = f.Scale, ["unit"] = f.Unit,
            })]),
        },
        PayloadFormat.Script => new JsonObject
        {
            ["name"] = name, ["kind"] = "Script", ["exchangeType"] = "Telemetry", ["topicPattern"] = "#", ["script"] = Codec,
        },
        _ => null,
    };

    /// <summary>What a run's payloads are, for the record.</summary>
    public static string Describe(PayloadFormat format, int jsonSize) => format switch
    {
        PayloadFormat.Json => $"{jsonSize}-byte JSON, built-in JSON check",
        PayloadFormat.Binary => $"{Payloads.BinarySize}-byte binary, Binary format",
        _ => $"{Payloads.BinarySize}-byte binary, Script format",
    };

    /// <summary>
    /// Throws unless every message since <paramref name="start"/> was processed, none rejected, and the newest messages
    /// of a few devices carry what their payload held: for a format, its id and the ten fields with the values sent.
    /// </summary>
    public static async Task VerifyAsync(Api api, PayloadFormat format, Guid? formatId, Stats start, Stats end, IReadOnlyList<Credentials> devices)
    {
        var rejected = end.Rejected - start.Rejected;
        if (rejected > 0)
        {
            var reasons = new List<string>();
            foreach (var device in devices.Take(5))
            {
                reasons.AddRange((await api.DeviceMessagesAsync(device.DeviceId, 1000))
                    .Where(m => m?["state"]?.GetValue<string>() == "Rejected").Select(m => m!["rejectionReason"]?.GetValue<string>() ?? "?"));
            }

            throw new InvalidOperationException(
                $"{format}: {rejected:N0} message(s) rejected, the run measured rejections, not decoding. For example: {reasons.Distinct().FirstOrDefault() ?? "(none among the first devices' newest messages)"}");
        }

        var checkedMessages = 0;
        foreach (var device in devices.Take(3))
        {
            foreach (var message in await api.DeviceMessagesAsync(device.DeviceId, 100))
            {
                var problem = Problem(format, formatId, message!);
                if (problem is not null)
                {
                    throw new InvalidOperationException($"{format}: message {message!["id"]} of device {device.Key} was not decoded as sent: {problem}\n{message.ToJsonString()}");
                }

                checkedMessages++;
            }
        }

        if (checkedMessages == 0)
        {
            throw new InvalidOperationException($"{format}: no stored message to check.");
        }

        Console.WriteLine($"  decoding checked: {end.Processed - start.Processed:N0} processed, 0 rejected; " +
                          $"{checkedMessages} stored messages compared with what was sent{(format == PayloadFormat.Json ? "" : " (10 fields each)")}");
    }

    private static string? Problem(PayloadFormat format, Guid? formatId, JsonNode message)
    {
        if (message["state"]?.GetValue<string>() != "Processed")
        {
            return $"state {message["state"]}";
        }

        if (format == PayloadFormat.Json)
        {
            return message["formatId"] is null ? null : "a JSON device's message was decoded by a format";
        }

        if (message["formatId"]?.GetValue<Guid>() != formatId)
        {
            return $"format {message["formatId"]}, expected {formatId}";
        }

        if (message["data"] is not JsonObject data || data["seq"] is not JsonValue seq || message["fields"] is not JsonArray fields)
        {
            return "no data or fields";
        }

        if (fields.Count != Payloads.Layout.Count)
        {
            return $"{fields.Count} fields, expected {Payloads.Layout.Count}";
        }

        var sequence = seq.GetValue<long>();
        foreach (var field in Payloads.Layout)
        {
            var sent = field.Value(sequence);
            if (data[field.Name] is not JsonValue value || Math.Abs(value.GetValue<double>() - sent) > 1e-9 * Math.Max(1, Math.Abs(sent)))
            {
                return $"{field.Name} is {data[field.Name]?.ToJsonString() ?? "missing"}, {sent} was sent";
            }

            var unit = fields.FirstOrDefault(f => f?["name"]?.GetValue<string>() == field.Name)?["unit"]?.GetValue<string>();
            if (format == PayloadFormat.Binary && unit != field.Unit)
            {
                return $"{field.Name} has unit {unit ?? "none"}, expected {field.Unit ?? "none"}";
            }
        }

        return null;
    }
}
