using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Formats;

namespace IoTRoutes.Core.Media.Intake;

/// <summary>
/// The decoder's rule for the Media exchange: a media message was read when it arrived (<see cref="MediaArrivals"/>), so
/// deciding it only confirms that reading, or the reason it has none. No message format is involved.
/// </summary>
internal static class MediaDecoding
{
    /// <summary>Why the message is Rejected, or null (its reading's fields then become the message's fields).</summary>
    public static string? Decide(Message message)
    {
        if (message.Data is null)
        {
            return message.RejectionReason ?? "A media message is read once, when it arrives: send the file again to have it read.";
        }

        if (message.RejectionReason is { } reason)
        {
            return reason;
        }

        // The reading's measurements are the device's latest values; the file's id and name only point at the file.
        message.DecodedFields = [.. FormatFields.Of(JsonNode.Parse(message.Data) as JsonObject, _ => null).Where(f => f.Name is not ("fileId" or "name"))];
        return null;
    }
}
