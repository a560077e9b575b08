using System.Buffers;
using System.Collections.Concurrent;
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

    private static Dictionary<string, object?> Fields(string? data, byte[] payload)
    {
        try
        {
            if (data is not null) return ReadText(data);
            return payload.Length > 0 ? Read(payload) : new Dictionary<string, object?>(StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return new Dictionary<string, object?>(StringComparer.Ordinal);
        }
    }

    private static Dictionary<string, object?> ReadText(string data)
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

    /// <summary>The top-level fields of a JSON object (a later field of the same name wins); none when it is not an object.</summary>
    internal static Dictionary<string, object?> Read(ReadOnlySpan<byte> json)
    {
        var fields = new Dictionary<string, object?>(16, StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return fields;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = FieldNames.Of(ref reader);
            reader.Read();
            // Each arm as an object: their common type would otherwise be JsonNode (it converts from them all).
            fields[name] = reader.TokenType switch
            {
                JsonTokenType.String => (object?)reader.GetString(),
                JsonTokenType.Number => reader.TryGetDouble(out var number) && double.IsFinite(number) ? number : Encoding.UTF8.GetString(reader.ValueSpan),
                JsonTokenType.True => true,
                JsonTokenType.False => false,
                JsonTokenType.Null => null,
                _ => JsonNode.Parse(ref reader),
            };
        }

        return fields;
    }
}

/// <summary>
/// Field names as strings made once: every message of a device repeats the same names, and allocating them again for each
/// message was a tenth of reading its fields. At most <see cref="Capacity"/> names are kept; others are made each time.
/// </summary>
internal static class FieldNames
{
    private const int Capacity = 10_000;
    private const int LongestKept = 64;
    private static readonly ConcurrentDictionary<string, string> Known = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ByChars = Known.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The property name the reader is on.</summary>
    public static string Of(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > LongestKept || !System.Text.Unicode.Utf8.IsValid(reader.ValueSpan))
        {
            return reader.GetString()!;
        }

        Span<char> chars = stackalloc char[LongestKept];
        var name = chars[..Encoding.UTF8.GetChars(reader.ValueSpan, chars)];
        if (ByChars.TryGetValue(name, out var known)) return known;
        var made = new string(name);
        if (Known.Count < Capacity) Known.TryAdd(made, made);
        return made;
    }
}
