using IoTRoutes.Core.Files;
using IoTRoutes.Core.Messaging;

namespace IoTRoutes.Core.Media.Intake;

/// <summary>
/// A media file as it arrived, before its message is stored: the file it was saved as (null when file storage refused
/// it), the reading as the message's data, and why the message is Rejected (a refused or unreadable file), if it is.
/// </summary>
public sealed record MediaArrival(FileDto? File, string? Data, string? Rejection, FileSaveError? Refusal, long Size, byte[]? KeptPayload)
{
    /// <summary>
    /// Gives <paramref name="message"/> what the media intake decided; the decoder finishes it (Processed or Rejected). A
    /// stored file is not copied into the message; a refused one keeps its bytes there when they came in memory (MQTT).
    /// </summary>
    public void Into(Message message)
    {
        message.Payload = File is null && KeptPayload is { } kept ? kept : [];
        message.PayloadSize = (int)Math.Min(Size, int.MaxValue);
        message.Data = Data;
        message.RejectionReason = Rejection;
    }
}

/// <summary>What a device is told about the media it sent over HTTPS.</summary>
public sealed record MediaReceipt(Guid MessageId, Guid? FileId, string State, string? Reason, FileSaveError? Refusal, System.Text.Json.Nodes.JsonObject? Fields);
