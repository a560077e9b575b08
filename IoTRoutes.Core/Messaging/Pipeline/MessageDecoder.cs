using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Formats.Decoding;
using IoTRoutes.Core.Messaging.Lifecycle;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>
/// Moves a Received message to Processed, or to Rejected with the reason. A device with a profile is read by the first of
/// its formats that matches (the decoded object, device time, format and version are kept with the message); a device
/// without one keeps the walking skeleton's rule: any well-formed JSON. A media message (the Media exchange) was read when
/// it arrived: its reading is confirmed, no format is asked.
/// </summary>
public sealed class MessageDecoder(JsonPayloadDecoder json, FormatCatalog? formats)
{
    /// <summary>Only the JSON check (no profiles): for tests of the intake itself.</summary>
    public static readonly MessageDecoder JsonOnly = new(new JsonPayloadDecoder(), null);

    /// <summary>Never throws: whatever goes wrong with one message rejects that message, not the batch it came with.</summary>
    internal void Decide(Message message, DateTimeOffset now, ILogger logger)
    {
        message.ProcessedAt = now;
        message.NormalizedData = null;
        message.RejectionDetails = null;
        string? failure;
        try
        {
            failure = Media.Intake.MediaTopics.IsMedia(message.Topic) ? Media.Intake.MediaDecoding.Decide(message)
                : formats?.For(message.DeviceId) is { } profile ? Decode(message, profile) : DecodeJson(message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            (message.Data, message.DeviceTime, message.DecodedFields) = (null, null, null);
            failure = $"Decoding failed: {e.Message}";
        }

        if (failure is null)
        {
            message.State = MessageState.Processed;
            return;
        }

        message.State = MessageState.Rejected;
        message.RejectionReason = Clip(failure);
        IntakeLog.Rejected(logger, message.Id, message.RejectionReason);
    }

    /// <summary>Without a profile: any well-formed JSON; returns why it is not, or null.</summary>
    private string? DecodeJson(Message message)
    {
        var result = json.Decode(message.Payload);
        message.RejectionDetails = result.Details is { } details ? Clip(details) : null;
        return result.Reason;
    }

    /// <summary>Decodes with the profile's matching format; returns why it failed, or null.</summary>
    private static string? Decode(Message message, ProfileDecoding profile)
    {
        if (profile.SelectUplink(message.Topic, message.Payload) is not { } format)
        {
            return $"No format of profile {profile.Name} matches topic {message.Topic} and this payload.";
        }

        message.FormatId = format.FormatId;
        message.FormatVersion = format.Version;
        if (format.Compiled is not { } compiled)
        {
            return $"Format {format.Name} v{format.Version} cannot be used: {format.Problem}";
        }

        DecodedMessage decoded;
        try
        {
            decoded = compiled.Decoder.Decode(new DecodeInput(message.Payload, format.FPort, message.ReceivedAt, profile.Variables));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            decoded = DecodedMessage.Failed($"The decoder failed: {e.Message}");
        }

        message.Warnings = decoded.Warnings.Count > 0 ? Clip(string.Join("\n", decoded.Warnings)) : null;
        if (!decoded.Succeeded)
        {
            message.RejectionDetails = decoded.Details is { } details ? Clip(details) : null;
            return $"{format.Name} v{format.Version}: {string.Join(" ", decoded.Errors)}";
        }

        message.Data = decoded.Data!.ToJsonString();
        message.NormalizedData = decoded.Normalized?.ToJsonString();
        message.DeviceTime = decoded.DeviceTime;
        message.DecodedFields = FormatFields.Of(decoded.Data, decoded.Normalized, compiled.UnitOf);
        return null;
    }

    private static string Clip(string text) => text.Length <= 1024 ? text : text[..1021] + "...";
}
