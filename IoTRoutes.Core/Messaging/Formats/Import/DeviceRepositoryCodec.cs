using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Messaging.Formats.Import;

/// <summary>One example of a codec file: bytes on a port, and the data they decode to or the errors they give.</summary>
public sealed record CodecExample(string Description, byte[] Bytes, int? FPort, JsonObject? Data, IReadOnlyList<string> Errors)
{
    /// <summary>Whether the example also gives a normalized output (<c>normalizedOutput</c>).</summary>
    public bool HasNormalizedOutput { get; init; }
}

/// <summary>One section of a codec file (<c>uplinkDecoder</c>, <c>downlinkEncoder</c>, <c>downlinkDecoder</c>).</summary>
public sealed record CodecSection(string? FileName, IReadOnlyList<CodecExample> Examples, int ExampleCount);

/// <summary>
/// A codec file of The Things Network's Device Repository (<c>vendor/&lt;vendor&gt;/&lt;name&gt;-codec.yaml</c>): the
/// script file of each function and its examples. Only the decoders' examples are read in full (they become test
/// cases); the encoder's are counted.
/// </summary>
public sealed record DeviceRepositoryCodec(CodecSection UplinkDecoder, CodecSection? DownlinkEncoder, CodecSection? DownlinkDecoder)
{
    public const int MaxCharacters = 1024 * 1024;

    /// <summary>The codec file as YAML text; its problems keyed by their place (<c>codecYaml.uplinkDecoder.examples[2].input.bytes</c>).</summary>
    public static (DeviceRepositoryCodec? Codec, Dictionary<string, string[]> Errors) Read(string? yaml)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(yaml))
        {
            return (null, new() { [Field] = ["Give the codec file (<name>-codec.yaml), with its uplinkDecoder section."] });
        }

        if (yaml.Length > MaxCharacters)
        {
            return (null, new() { [Field] = [$"A codec file has at most {MaxCharacters / 1024} KiB."] });
        }

        JsonNode? root;
        try
        {
            root = YamlJson.Read(yaml);
        }
        catch (YamlJsonException e)
        {
            return (null, new() { [Field] = [$"Not a readable codec file: {e.Message}"] });
        }

        if (root is not JsonObject file)
        {
            return (null, new() { [Field] = ["A codec file is a YAML mapping with uplinkDecoder, and optionally downlinkEncoder and downlinkDecoder."] });
        }

        if (file["uplinkDecoder"] is not JsonObject)
        {
            return (null, new() { [$"{Field}.uplinkDecoder"] = ["The codec file has no uplinkDecoder section: there is nothing to decode uplinks with."] });
        }

        var codec = new DeviceRepositoryCodec(
            Section(file, "uplinkDecoder", decodes: true, errors)!,
            Section(file, "downlinkEncoder", decodes: false, errors),
            Section(file, "downlinkDecoder", decodes: true, errors));
        return errors.Count > 0 ? (null, errors) : (codec, errors);
    }

    private const string Field = "codecYaml";

    private static CodecSection? Section(JsonObject file, string name, bool decodes, Dictionary<string, string[]> errors)
    {
        var place = $"{Field}.{name}";
        switch (file[name])
        {
            case null:
                return null;
            case not JsonObject:
                errors[place] = [$"{name} is a mapping: fileName, examples."];
                return null;
        }

        var section = (JsonObject)file[name]!;
        var fileName = section["fileName"] is JsonValue f && f.GetValueKind() == JsonValueKind.String ? f.GetValue<string>() : null;
        var examples = new List<CodecExample>();
        switch (section["examples"])
        {
            case null:
                return new CodecSection(fileName, examples, 0);
            case JsonArray list when decodes:
                for (var i = 0; i < list.Count; i++)
                {
                    if (Example(list[i], i, $"{place}.examples[{i}]", errors) is { } example) examples.Add(example);
                }

                return new CodecSection(fileName, examples, list.Count);
            case JsonArray list:
                return new CodecSection(fileName, examples, list.Count);
            default:
                errors[$"{place}.examples"] = ["examples is a list."];
                return null;
        }
    }

    private static CodecExample? Example(JsonNode? node, int index, string place, Dictionary<string, string[]> errors)
    {
        if (node is not JsonObject example)
        {
            errors[place] = ["An example is a mapping: description, input, output."];
            return null;
        }

        var description = example["description"] is JsonValue d && d.GetValueKind() == JsonValueKind.String && !string.IsNullOrWhiteSpace(d.GetValue<string>())
            ? d.GetValue<string>().Trim()
            : $"Example {index + 1}";
        if (example["input"] is not JsonObject input)
        {
            errors[$"{place}.input"] = ["An example needs its input: fPort and bytes."];
            return null;
        }

        int? fPort = null;
        if (input["fPort"] is { } port)
        {
            var number = Integer(port);
            if (number is not (>= 0 and <= 255))
            {
                errors[$"{place}.input.fPort"] = ["fPort is an integer from 0 to 255."];
                return null;
            }

            fPort = (int)number.GetValueOrDefault();
        }

        if (input["bytes"] is not JsonArray byteList)
        {
            errors[$"{place}.input.bytes"] = ["A decoder's example needs input.bytes: a list of bytes such as [0x01, 0x67] or [1, 103]."];
            return null;
        }

        var bytes = new byte[byteList.Count];
        for (var i = 0; i < byteList.Count; i++)
        {
            var value = Integer(byteList[i]);
            if (value is not (>= 0 and <= 255))
            {
                errors[$"{place}.input.bytes[{i}]"] = [$"{byteList[i]?.ToJsonString() ?? "null"} is not a byte (0 to 255)."];
                return null;
            }

            bytes[i] = (byte)value.GetValueOrDefault();
        }

        if (example["output"] is not JsonObject output)
        {
            errors[$"{place}.output"] = ["An example needs its output: data, or errors."];
            return null;
        }

        var expectedErrors = output["errors"] is JsonArray list ? list.Select(e => e is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : e?.ToJsonString() ?? "null").ToList() : [];
        var data = output["data"];
        if (data is not null and not JsonObject && expectedErrors.Count == 0)
        {
            errors[$"{place}.output.data"] = ["data is a mapping of the decoded values."];
            return null;
        }

        return new CodecExample(description, bytes, fPort, (JsonObject?)data?.DeepClone(), expectedErrors) { HasNormalizedOutput = example["normalizedOutput"] is not null };
    }

    private static double? Integer(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<double>(out var n) && n == Math.Floor(n) ? n : null;
}
