using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Lifecycle;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>
/// A message of a device without a profile is only checked as JSON and stores no decoded data: its payload, a JSON object,
/// is what it said. Its fields are then read from the payload, the same way wherever fields are shown or tested (charts,
/// the message explorer's field condition, a message's detail) and as workflows read it.
/// </summary>
public static class PlainJsonFields
{
    /// <summary>Payloads above this are not read for fields (a plain-JSON reading is never that large).</summary>
    public const int MaxPayload = 16 * 1024;

    /// <summary>Whether the message's fields are its payload's: processed without a format and without decoded data.</summary>
    public static bool Applies(MessageState state, Guid? formatId, string? data, int payloadSize) =>
        state == MessageState.Processed && formatId is null && data is null && payloadSize <= MaxPayload;

    /// <summary>The stored data, else the payload, as a JSON object; null when neither is one.</summary>
    public static JsonObject? ObjectOf(string? data, byte[]? payload)
    {
        try
        {
            var found = (data is not null ? JsonNode.Parse(data) : payload is { Length: > 0 } ? JsonNode.Parse(payload) : null) as JsonObject;
            _ = found?.Count; // JsonNode reads an object's members lazily: a duplicate key ({"t":1,"t":2}) throws here, not later
            return found;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException)
        {
            return null;
        }
    }
}
