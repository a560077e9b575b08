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
            if (data is not null) return Read(Encoding.UTF8.GetBytes(data));
            return payload.Length > 0 ? Read(payload) : new Dictionary<string, object?>(StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return new Dictionary<string, object?>(StringComparer.Ordinal);
        }
    }

    /// <summary>The top-level fields of a JSON object (a later field of the same name wins); none when it is not an object.</summary>
    internal static Dictionary<string, object?> Read(ReadOnlySpan<byte> json)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return fields;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
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
