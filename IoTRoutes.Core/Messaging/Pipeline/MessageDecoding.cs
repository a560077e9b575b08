using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Lifecycle;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>Moves a Received message to Processed, or to Rejected with the decoder's reason.</summary>
internal static class MessageDecoding
{
    public static void Decide(Message message, JsonPayloadDecoder decoder, DateTimeOffset now, ILogger logger)
    {
        var result = decoder.Decode(message.Payload);
        message.ProcessedAt = now;
        if (result.Succeeded)
        {
            message.State = MessageState.Processed;
            return;
        }

        message.State = MessageState.Rejected;
        message.RejectionReason = result.Reason!.Length <= 1024 ? result.Reason : result.Reason[..1021] + "...";
        IntakeLog.Rejected(logger, message.Id, message.RejectionReason);
    }
}
