using System.Buffers.Binary;
using System.Text;

namespace IoTRoutes.Bench;

/// <summary>What the publishers send, and how IoTRoutes is told to read it (<c>--format</c>).</summary>
public enum PayloadFormat
{
    /// <summary>JSON with ten fields, on devices without a profile: the built-in JSON check.</summary>
    Json,

    /// <summary>The 24-byte <see cref="Payloads.Layout"/>, on devices whose profile has a Binary format of it.</summary>
    Binary,

    /// <summary>The same 24 bytes, on devices whose profile has a Script format decoding them in JavaScript.</summary>
    Script,
}

/// <summary>One field of the binary payload: its type and scale as the Binary format reads it, and its value for a sequence number.</summary>
public sealed record LayoutField(string Name, string Type, int Size, double Scale, string? Unit, Func<long, double> Value);

/// <summary>The payloads, built for each message from its sequence number so that every message carries different values.</summary>
public static class Payloads
{
    /// <summary>
    /// Ten fields in 24 bytes, big-endian, the kind of frame a LoRaWAN sensor sends: each value is a whole number of its
    /// scale (and the f32 a whole number of quarters), so the decoded value is exact and can be checked.
    /// </summary>
    public static readonly IReadOnlyList<LayoutField> Layout =
    [
        new("seq", "U32", 4, 1, null, s => (uint)s),
        new("temperature", "S16", 2, 0.01, "°C", s => (s * 13 % 6000 - 2000) / 100.0),
        new("humidity", "U8", 1, 0.5, "%", s => s * 7 % 201 / 2.0),
        new("pressure", "U32", 4, 0.01, "hPa", s => (95_000 + s * 11 % 10_000) / 100.0),
        new("battery", "U16", 2, 0.001, "V", s => (3000 + s * 3 % 1200) / 1000.0),
        new("co2", "U16", 2, 1, "ppm", s => 400 + s * 17 % 1600),
        new("light", "F32", 4, 1, "lx", s => s * 29 % 400_000 / 4.0),
        new("windSpeed", "U16", 2, 0.01, "m/s", s => s * 19 % 4000 / 100.0),
        new("soilTemperature", "S16", 2, 0.1, "°C", s => (s * 23 % 800 - 200) / 10.0),
        new("status", "U8", 1, 1, null, s => s % 4),
    ];

    public static readonly int BinarySize = Layout.Sum(f => f.Size);

    /// <summary>The payload builder of a format: JSON padded to <paramref name="jsonSize"/>, or the binary layout.</summary>
    public static Func<long, byte[]> For(PayloadFormat format, int jsonSize) =>
        format == PayloadFormat.Json ? sequence => Telemetry(sequence, jsonSize) : Binary;

    /// <summary>JSON telemetry with ten fields, padded to the requested size.</summary>
    public static byte[] Telemetry(long sequence, int size)
    {
        var json = new StringBuilder();
        json.Append("{\"seq\":").Append(sequence);
        for (var f = 1; f <= 8; f++)
        {
            json.Append(",\"f").Append(f).Append("\":").Append((sequence * 31 + f) % 1000 / 10.0);
        }

        json.Append(",\"pad\":\"");
        var padding = Math.Max(0, size - json.Length - 2);
        json.Append('x', padding).Append("\"}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    /// <summary>The <see cref="Layout"/> with the values of <paramref name="sequence"/>.</summary>
    public static byte[] Binary(long sequence)
    {
        var bytes = new byte[BinarySize];
        var at = 0;
        foreach (var field in Layout)
        {
            var value = field.Value(sequence);
            var slot = bytes.AsSpan(at, field.Size);
            var raw = (long)Math.Round(value / field.Scale);
            switch (field.Type)
            {
                case "U8": slot[0] = (byte)raw; break;
                case "U16": BinaryPrimitives.WriteUInt16BigEndian(slot, (ushort)raw); break;
                case "S16": BinaryPrimitives.WriteInt16BigEndian(slot, (short)raw); break;
                case "U32": BinaryPrimitives.WriteUInt32BigEndian(slot, (uint)raw); break;
                case "F32": BinaryPrimitives.WriteSingleBigEndian(slot, (float)value); break;
                default: throw new InvalidOperationException($"No writer for {field.Type}.");
            }

            at += field.Size;
        }

        return bytes;
    }
}
