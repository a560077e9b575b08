using System.Globalization;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats.Decoding;

namespace IoTRoutes.Core.Messaging.Formats.CayenneLpp;

/// <summary>
/// Cayenne LPP, both ways: a frame is a sequence of (channel, type, value); each reading becomes the key
/// <c>&lt;type&gt;_&lt;channel&gt;</c> (<c>temperature_3</c>), a number or, for several axes, an object. An unknown type or a
/// truncated frame is an error, with the byte offset where it was found.
/// </summary>
public sealed class CayenneLppCodec : IPayloadDecoder
{
    public DecodedMessage Decode(DecodeInput input)
    {
        var bytes = input.Payload.Span;
        if (bytes.IsEmpty)
        {
            return DecodedMessage.Failed("Cayenne LPP: the payload is empty.");
        }

        var data = new JsonObject();
        var at = 0;
        while (at < bytes.Length)
        {
            if (at + 2 > bytes.Length)
            {
                return DecodedMessage.Failed($"Cayenne LPP: truncated frame at byte {at}: a channel without its type.");
            }

            var channel = bytes[at];
            var code = bytes[at + 1];
            if (CayenneLppTypes.Find(code) is not { } type)
            {
                return DecodedMessage.Failed($"Cayenne LPP: unknown data type {code} (0x{code:X2}) at byte {at + 1}.");
            }

            at += 2;
            if (at + type.Size > bytes.Length)
            {
                return DecodedMessage.Failed($"Cayenne LPP: truncated frame at byte {at}: {type.Name} needs {type.Size} bytes, {bytes.Length - at} left.");
            }

            var key = type.Name + "_" + channel.ToString(CultureInfo.InvariantCulture);
            data[key] = ReadValue(type, bytes.Slice(at, type.Size));
            at += type.Size;
        }

        return DecodedMessage.Of(data);
    }

    /// <summary>The frame for <paramref name="data"/> (keys <c>&lt;type&gt;_&lt;channel&gt;</c>), or the errors that prevent it.</summary>
    public (byte[]? Bytes, IReadOnlyList<string> Errors) Encode(JsonObject data)
    {
        var frame = new List<byte>();
        var errors = new List<string>();
        foreach (var (key, value) in data)
        {
            var split = key.LastIndexOf('_');
            if (split <= 0 || !byte.TryParse(key.AsSpan(split + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var channel)
                || CayenneLppTypes.Find(key[..split]) is not { } type)
            {
                errors.Add($"\"{key}\": not a Cayenne LPP key (<type>_<channel 0-255>, e.g. temperature_3).");
                continue;
            }

            if (WriteValue(type, value, key, errors) is { } written)
            {
                frame.Add(channel);
                frame.Add(type.Code);
                frame.AddRange(written);
            }
        }

        return errors.Count > 0 ? (null, errors) : (frame.ToArray(), errors);
    }

    private static JsonNode ReadValue(CayenneLppType type, ReadOnlySpan<byte> bytes)
    {
        if (type.Axes.Length == 1)
        {
            return JsonValue.Create(Read(type.Axes[0], bytes));
        }

        var value = new JsonObject();
        var at = 0;
        foreach (var axis in type.Axes)
        {
            value[axis.Name!] = Read(axis, bytes.Slice(at, axis.Bytes));
            at += axis.Bytes;
        }

        return value;
    }

    private static double Read(CayenneLppAxis axis, ReadOnlySpan<byte> bytes)
    {
        long raw = 0;
        foreach (var b in bytes) raw = (raw << 8) | b;
        if (axis.Signed && (bytes[0] & 0x80) != 0)
        {
            raw -= 1L << (8 * axis.Bytes);
        }

        // Rounded to the resolution's decimals, so 272 × 0.1 is 27.2 and not 27.200000000000003.
        return Math.Round(raw * axis.Resolution, Decimals(axis.Resolution));
    }

    private static byte[]? WriteValue(CayenneLppType type, JsonNode? value, string key, List<string> errors)
    {
        var bytes = new List<byte>();
        foreach (var axis in type.Axes)
        {
            var part = axis.Name is null ? value : (value as JsonObject)?[axis.Name];
            if (part is not JsonValue json || !json.TryGetValue<double>(out var number) || !double.IsFinite(number))
            {
                errors.Add(axis.Name is null ? $"\"{key}\": needs a number." : $"\"{key}\": needs a number for \"{axis.Name}\".");
                return null;
            }

            var raw = (long)Math.Round(number / axis.Resolution);
            var (min, max) = axis.Signed ? (-(1L << (8 * axis.Bytes - 1)), (1L << (8 * axis.Bytes - 1)) - 1) : (0L, (1L << (8 * axis.Bytes)) - 1);
            if (raw < min || raw > max)
            {
                errors.Add($"\"{key}\": {number.ToString(CultureInfo.InvariantCulture)} is out of range for {type.Name} ({(min * axis.Resolution).ToString(CultureInfo.InvariantCulture)} to {(max * axis.Resolution).ToString(CultureInfo.InvariantCulture)}).");
                return null;
            }

            for (var shift = 8 * (axis.Bytes - 1); shift >= 0; shift -= 8) bytes.Add((byte)(raw >> shift));
        }

        return [.. bytes];
    }

    private static int Decimals(double resolution)
    {
        var decimals = 0;
        for (var r = resolution; r < 1 && decimals < 10; r *= 10) decimals++;
        return decimals;
    }
}
