using IoTRoutes.Core.Messaging.Lifecycle;

namespace IoTRoutes.Core.Messaging;

/// <summary>
/// A stored message as pages and the API show it; <see cref="Payload"/> is the UTF-8 text of the raw bytes. Its fields come
/// from <see cref="NormalizedData"/> when the format normalized it, else from <see cref="Data"/>.
/// </summary>
public sealed record MessageDto(
    Guid Id,
    Guid DeviceId,
    string DeviceKey,
    string DeviceName,
    string Topic,
    string Payload,
    int PayloadSize,
    int QualityOfService,
    DateTimeOffset ReceivedAt,
    MessageState State,
    string? RejectionReason,
    DateTimeOffset? ProcessedAt,
    System.Text.Json.Nodes.JsonObject? Data = null,
    IReadOnlyList<Formats.FieldDto>? Fields = null,
    DateTimeOffset? DeviceTime = null,
    Guid? FormatId = null,
    int? FormatVersion = null,
    string? Warnings = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    System.Text.Json.Nodes.JsonNode? NormalizedData = null,
    string? RejectionDetails = null);

/// <summary>
/// One message as its detail shows it: the message, its raw payload as stored (base64 in JSON; empty when the payload was
/// refused for its size), and the name of the format that decoded or rejected it.
/// </summary>
public sealed record MessageDetailDto(MessageDto Message, byte[] RawPayload, string? FormatName);

public sealed record MessageStatsDto(long Received, long Processed, long Rejected);

/// <summary>The latest value of one field of a device, and when it was measured (device time, else receive time).</summary>
public sealed record LatestFieldDto(string Name, System.Text.Json.Nodes.JsonNode? Value, string? Unit, DateTimeOffset At, Guid MessageId);

/// <summary>A window of messages, newest first.</summary>
public sealed record MessageQuery(Guid? DeviceId = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = MessageQuery.DefaultLimit)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public IReadOnlyDictionary<string, string[]>? Validate()
    {
        var errors = QueryWindow.Check(Limit, MaxLimit, From, To);
        return errors.Count == 0 ? null : errors;
    }
}
