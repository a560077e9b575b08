using System.Globalization;
using IoTRoutes.Core.Messaging.Brokers.Topics;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>What a format's common part must satisfy; the kind's settings are checked by <see cref="FormatCompiler"/>.</summary>
public static class FormatRules
{
    public const int MaxNameLength = 100;
    public const int MaxTestCases = 50;

    public static Dictionary<string, string[]> Check(FormatDefinition d)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string error) => errors.TryAdd(field, [error]);

        if (string.IsNullOrWhiteSpace(d.Name)) Add("name", "A format needs a name.");
        else if (d.Name.Trim().Length > MaxNameLength) Add("name", $"A format name has at most {MaxNameLength} characters.");
        else if (DisplayText.Problem(d.Name) is { } problem) Add("name", problem);

        if (d.Kind is null) Add("kind", "Choose a kind: Json, Delimited, Binary, CayenneLpp or Script.");
        if (d.ExchangeType is null) Add("exchangeType", "Choose an exchange type: Telemetry, Event, Media, Command or CommandReply.");
        if (d.TopicPattern is { } topic && (topic.Length is 0 or > 1024 || !TopicFilter.IsValid(topic)))
        {
            Add("topicPattern", "The topic pattern is an MQTT topic filter, such as devices/+/up or # for any topic.");
        }

        if (d.FPort is < 0 or > 255) Add("fPort", "The port is between 0 and 255.");
        if (d.Discriminator is { } discriminator && CheckDiscriminator(discriminator) is { } discriminatorProblem)
        {
            Add("discriminator", discriminatorProblem);
        }

        var cases = d.TestCases ?? [];
        if (cases.Count > MaxTestCases) Add("testCases", $"At most {MaxTestCases} test cases.");
        for (var i = 0; i < cases.Count; i++)
        {
            if (cases[i] is null) { Add($"testCases[{i}]", "A test case cannot be null."); continue; }
            if (string.IsNullOrWhiteSpace(cases[i].Name)) Add($"testCases[{i}].name", "A test case needs a name.");
            if (SamplePayload.Decode(cases[i].Input, cases[i].Encoding).Error is { } inputProblem) Add($"testCases[{i}].input", inputProblem);
            if (cases[i].Expected is null && string.IsNullOrWhiteSpace(cases[i].ExpectedError))
            {
                Add($"testCases[{i}].expected", "Give the expected data, or the error the input must give.");
            }
        }

        return errors;
    }

    private static string? CheckDiscriminator(Discriminator d)
    {
        if (string.IsNullOrEmpty(d.Value)) return "A discriminator needs the value to compare with.";
        var selectors = (d.JsonPath is not null ? 1 : 0) + (d.ByteAt is not null ? 1 : 0) + (d.CsvColumn is not null ? 1 : 0);
        if (selectors != 1) return "A discriminator looks at exactly one of: jsonPath, byteAt, csvColumn.";
        if (d.JsonPath is not null && !Json.JsonPath.TryParse(d.JsonPath, out _, out var pathError)) return pathError;
        if (d.ByteAt is < 0 || d.CsvColumn is < 0) return "A position cannot be negative.";
        if (d.ByteAt is not null && ParseByte(d.Value) is null) return "A byte discriminator's value is 0 to 255 (decimal, or hex as 0x1F).";
        return null;
    }

    internal static byte? ParseByte(string value) =>
        value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? byte.TryParse(value.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) ? hex : null
            : byte.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var dec) ? dec : null;
}

/// <summary>A sample as people paste it: text, hex (spaces allowed) or base64.</summary>
public static class SamplePayload
{
    public const int MaxBytes = 256 * 1024;

    public static (byte[]? Bytes, string? Error) Decode(string? input, string? encoding)
    {
        input ??= "";
        try
        {
            var bytes = (encoding ?? "text").ToLowerInvariant() switch
            {
                "text" => System.Text.Encoding.UTF8.GetBytes(input),
                "hex" => Convert.FromHexString(new string([.. input.Where(c => !char.IsWhiteSpace(c) && c != ':' && c != '-')])),
                "base64" => Convert.FromBase64String(input.Trim()),
                _ => null,
            };
            if (bytes is null) return (null, "The encoding is text, hex or base64.");
            return bytes.Length > MaxBytes ? (null, $"A sample has at most {MaxBytes / 1024} KiB.") : (bytes, null);
        }
        catch (FormatException)
        {
            return (null, encoding?.ToLowerInvariant() == "hex" ? "Not hexadecimal: two digits per byte, such as 01 67 FF D7." : "Not valid base64.");
        }
    }
}
