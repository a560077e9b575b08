using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats.Binary;
using IoTRoutes.Core.Messaging.Formats.CayenneLpp;
using IoTRoutes.Core.Messaging.Formats.Json;

namespace IoTRoutes.Core.Messaging.Formats.Encoders;

/// <summary>What encoding data gave: the bytes (null on errors), the port, and what went wrong.</summary>
public sealed record EncodedPayload(byte[]? Bytes, int FPort, IReadOnlyList<string> Warnings, IReadOnlyList<string> Errors)
{
    public static EncodedPayload Failed(int fPort, params string[] errors) => new(null, fPort, [], errors);
}

/// <summary>A format version that can write a downlink (a command) from data.</summary>
public interface IPayloadEncoder
{
    EncodedPayload Encode(JsonObject data, int fPort);
}

/// <summary>Cayenne LPP with the same table as decoding.</summary>
internal sealed class CayenneLppEncoder : IPayloadEncoder
{
    public EncodedPayload Encode(JsonObject data, int fPort)
    {
        var (bytes, errors) = new CayenneLppCodec().Encode(data);
        return new EncodedPayload(bytes, fPort, [], errors);
    }
}

/// <summary>A JSON mapping written backwards: each mapped field goes to its path, value back through scale and offset.</summary>
internal sealed class JsonMappingEncoder(JsonMapping mapping) : IPayloadEncoder
{
    private readonly JsonTemplate? _template = mapping.Template is { } text ? JsonTemplate.Parse(text).Template : null;

    public EncodedPayload Encode(JsonObject data, int fPort)
    {
        if (_template is not null)
        {
            return _template.Encode(data, fPort);
        }

        if (mapping.Fields is not { Count: > 0 } fields)
        {
            return new EncodedPayload(System.Text.Encoding.UTF8.GetBytes(data.ToJsonString()), fPort, [], []);
        }

        var root = new JsonObject();
        var errors = new List<string>();
        foreach (var field in fields)
        {
            if (!data.TryGetPropertyValue(field.Name, out var value) || value is null)
            {
                if (field.Required) errors.Add($"\"{field.Name}\" is missing.");
                continue;
            }

            if (!JsonPath.TryParse(field.Path, out _, out _) || PathNames(field.Path) is not { } names)
            {
                errors.Add($"\"{field.Name}\": its path {field.Path} has array indexes, which a command cannot be written to.");
                continue;
            }

            var written = value is JsonValue v && v.TryGetValue<double>(out var number) && (field.Scale != 1 || field.Offset != 0)
                ? JsonValue.Create(Math.Round((number - field.Offset) / field.Scale, 12))
                : value.DeepClone();
            var target = root;
            foreach (var name in names[..^1])
            {
                target = target[name] as JsonObject ?? (JsonObject)(target[name] = new JsonObject());
            }

            target[names[^1]] = written;
        }

        return errors.Count > 0 ? EncodedPayload.Failed(fPort, [.. errors]) : new EncodedPayload(System.Text.Encoding.UTF8.GetBytes(root.ToJsonString()), fPort, [], []);
    }

    private static string[]? PathNames(string path)
    {
        var text = path.Trim().TrimStart('$').TrimStart('.');
        return text.Contains('[') || text.Length == 0 ? null : text.Split('.');
    }
}

/// <summary>A binary layout written backwards (plain field lists): each value back through scale and offset, or its enum label.</summary>
internal sealed class BinaryLayoutEncoder(BinaryLayout layout) : IPayloadEncoder
{
    public EncodedPayload Encode(JsonObject data, int fPort)
    {
        if (layout.Fields is not { Count: > 0 } fields || layout.DiscriminatorAt is not null || layout.Types is { Count: > 0 } || layout.Repeat)
        {
            return EncodedPayload.Failed(fPort, "Only plain binary layouts (a field list) encode commands; discriminated, repeated and channel/type layouts do not.");
        }

        var bytes = new List<byte>();
        var errors = new List<string>();
        var cursor = 0;
        foreach (var field in fields)
        {
            var at = field.At ?? cursor;
            var size = BinaryLayoutDecoder.SizeOf(field.Type);
            while (bytes.Count < at + size) bytes.Add(0);
            cursor = at + size;
            if (field.Skip) continue;
            if (Raw(field, data, errors) is not { } raw) continue;
            Write(field, raw, bytes, at, size, errors);
        }

        return errors.Count > 0 ? EncodedPayload.Failed(fPort, [.. errors]) : new EncodedPayload([.. bytes], fPort, [], []);
    }

    private static double? Raw(BinaryField field, JsonObject data, List<string> errors)
    {
        if (!data.TryGetPropertyValue(field.Name!, out var node) || node is not JsonValue value)
        {
            errors.Add($"\"{field.Name}\" is missing.");
            return null;
        }

        if (field.Enum is { } labels && value.TryGetValue<string>(out var label))
        {
            var key = labels.FirstOrDefault(l => l.Value == label).Key;
            if (key is null || !double.TryParse(key, CultureInfo.InvariantCulture, out var code))
            {
                errors.Add($"\"{field.Name}\": \"{label}\" is none of {string.Join(", ", labels.Values)}.");
                return null;
            }

            return code;
        }

        double number;
        if (value.TryGetValue<double>(out var parsed)) number = parsed;
        else if (value.TryGetValue<bool>(out var flag)) number = flag ? 1 : 0;
        else
        {
            errors.Add($"\"{field.Name}\": needs a number.");
            return null;
        }

        return field.Type is BinaryType.F32 or BinaryType.F64 ? (number - field.Offset) / field.Scale : Math.Round((number - field.Offset) / field.Scale);
    }

    private void Write(BinaryField field, double raw, List<byte> bytes, int at, int size, List<string> errors)
    {
        var little = (field.Endianness ?? layout.Endianness) == Endianness.Little;
        Span<byte> span = stackalloc byte[8];
        if (field.Type is BinaryType.F32 or BinaryType.F64)
        {
            if (field.Type == BinaryType.F32) { if (little) BinaryPrimitives.WriteSingleLittleEndian(span, (float)raw); else BinaryPrimitives.WriteSingleBigEndian(span, (float)raw); }
            else if (little) BinaryPrimitives.WriteDoubleLittleEndian(span, raw); else BinaryPrimitives.WriteDoubleBigEndian(span, raw);
            for (var i = 0; i < size; i++) bytes[at + i] = span[i];
            return;
        }

        var width = field.BitLength ?? 8 * size;
        var signed = field.BitLength is null && field.Type.ToString()[0] == 'S';
        var (min, max) = signed ? (-Math.Pow(2, width - 1), Math.Pow(2, width - 1) - 1) : (0, Math.Pow(2, width) - 1);
        if (raw < min || raw > max)
        {
            errors.Add($"\"{field.Name}\": {raw.ToString(CultureInfo.InvariantCulture)} does not fit in {width} bits{(signed ? " (signed)" : "")}.");
            return;
        }

        var value = unchecked((ulong)(long)raw) & (width == 64 ? ulong.MaxValue : (1UL << width) - 1);
        value <<= field.BitOffset ?? 0;
        for (var i = 0; i < size; i++)
        {
            var b = (byte)(value >> (8 * (little ? i : size - 1 - i)));
            bytes[at + i] |= b; // bit ranges sharing bytes add up
        }
    }
}
