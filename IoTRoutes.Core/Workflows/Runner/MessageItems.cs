using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>
/// A stored message as a workflow item: its decoded data's fields, or, for a device without a profile, the top-level
/// fields of its JSON payload (<c>{"temp":21}</c> gives <c>temp</c>); the device and the message beside them.
/// </summary>
/// <remarks>
/// Read straight into the item's values (numbers as doubles, texts, booleans, nulls; objects and arrays as JSON nodes)
/// rather than through a JSON document: every message of every OnMessage workflow comes this way, and the document
/// was a third of the runner's time per message.
/// </remarks>
internal static class MessageItems
{
    public static WorkflowItem From(Guid id, string topic, DateTimeOffset receivedAt, DateTimeOffset? deviceTime, string? data, byte[] payload, DeviceContext? device) =>
        new(Fields(data, payload), device, new MessageContext(id, topic, receivedAt, deviceTime), "message");

    private static IReadOnlyDictionary<string, object?> Fields(string? data, byte[] payload)
    {
        try
        {
            if (data is not null) return ReadText(data);
            return payload.Length > 0 ? Read(payload) : new FieldList(1);
        }
        catch (JsonException)
        {
            return new FieldList(1);
        }
    }

    private static IReadOnlyDictionary<string, object?> ReadText(string data)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(data.Length));
        try
        {
            return Read(bytes.AsSpan(0, Encoding.UTF8.GetBytes(data, bytes)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// The top-level fields of a JSON object (a later field of the same name wins); none when it is not an object. Up to
    /// <see cref="FieldList.MostFields"/> fields in a <see cref="FieldList"/>, more in a dictionary.
    /// </summary>
    internal static IReadOnlyDictionary<string, object?> Read(ReadOnlySpan<byte> json)
    {
        var list = new FieldList(FieldList.MostFields);
        Dictionary<string, object?>? many = null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return list;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = FieldNames.Of(ref reader);
            reader.Read();
            // Each arm as an object: their common type would otherwise be JsonNode (it converts from them all).
            var value = reader.TokenType switch
            {
                JsonTokenType.String => (object?)reader.GetString(),
                JsonTokenType.Number => Numbers.TryReadShort(reader.ValueSpan, out var number) || (reader.TryGetDouble(out number) && double.IsFinite(number))
                    ? number
                    : Encoding.UTF8.GetString(reader.ValueSpan),
                JsonTokenType.True => WorkflowValues.Box(true),
                JsonTokenType.False => WorkflowValues.Box(false),
                JsonTokenType.Null => null,
                _ => JsonNode.Parse(ref reader),
            };
            if (many is not null) many[name] = value;
            else if (list.IsFull && !list.ContainsKey(name)) (many = list.ToDictionary(FieldList.MostFields))[name] = value;
            else list.Set(name, value);
        }

        return many ?? (IReadOnlyDictionary<string, object?>)list;
    }
}

/// <summary>
/// JSON numbers as doubles without the general parser, for the usual telemetry numbers: at most 15 digits, an optional
/// sign and point, no exponent (<c>21.5</c>, <c>-3</c>, <c>1013.25</c>). Such a number is an integer below 2^53 divided
/// by a power of ten up to 10^15, both exact as doubles, so the one division is correctly rounded: the same double as
/// <see cref="Utf8JsonReader.TryGetDouble"/> gives (Clinger's fast path; <c>MessageItemsTests</c> compares them).
/// </summary>
internal static class Numbers
{
    private const int MostDigits = 15;

    private static readonly double[] PowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>False for anything else (an exponent, more digits): the caller then asks the general parser.</summary>
    public static bool TryReadShort(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        if (negative) i = 1;
        ulong digits = 0;
        var count = 0;
        var decimals = -1; // digits after the point; -1 before it
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == (byte)'.')
            {
                if (decimals >= 0) return false;
                decimals = 0;
                continue;
            }

            var digit = (uint)(c - (byte)'0');
            if (digit > 9 || ++count > MostDigits) return false;
            digits = digits * 10 + digit;
            if (decimals >= 0) decimals++;
        }

        if (count == 0 || decimals == 0) return false;
        value = decimals > 0 ? digits / PowersOfTen[decimals] : digits;
        if (negative) value = -value;
        return true;
    }
}

/// <summary>
/// Field names as strings made once: every message of a device repeats the same names, and allocating them again for each
/// message was a tenth of reading its fields. A name is found by its UTF-8 bytes (no decoding, no hashing of a string)
/// in a table of <see cref="Slots"/> places; a name whose place another holds is made each time.
/// </summary>
internal static class FieldNames
{
    private const int Slots = 4096;
    private const int LongestKept = 64;
    private static readonly Known?[] Table = new Known?[Slots];

    /// <summary>The property name the reader is on.</summary>
    public static string Of(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > LongestKept) return reader.GetString()!;
        var bytes = reader.ValueSpan;
        ref var slot = ref Table[Hash(bytes) & (Slots - 1)];
        var known = Volatile.Read(ref slot);
        if (known is not null && bytes.SequenceEqual(known.Utf8)) return known.Name;
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) return reader.GetString()!;
        var made = Encoding.UTF8.GetString(bytes);
        Volatile.Write(ref slot, new Known(bytes.ToArray(), made));
        return made;
    }

    // FNV-1a: names are short, and a collision only costs making the name again.
    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes) hash = (hash ^ b) * 16777619u;
        return (int)(hash ^ (hash >> 15));
    }

    private sealed class Known(byte[] utf8, string name)
    {
        public readonly byte[] Utf8 = utf8;
        public readonly string Name = name;
    }
}
