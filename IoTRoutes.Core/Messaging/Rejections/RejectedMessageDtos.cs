namespace IoTRoutes.Core.Messaging.Rejections;

/// <summary>A rejected message as the Rejected messages page and <c>GET /api/v1/messages/rejected</c> show it.</summary>
/// <param name="Reason">Why it was rejected, as a sentence for people.</param>
/// <param name="Details">The parser's own text behind the reason, when a parser refused the payload.</param>
public sealed record RejectedMessageDto(
    Guid Id,
    Guid DeviceId,
    string DeviceName,
    string Topic,
    DateTimeOffset ReceivedAt,
    string? Reason,
    Guid? FormatId,
    string? FormatName,
    int? FormatVersion,
    string PayloadPreview,
    PayloadPreviewKind PayloadKind,
    int PayloadSize,
    string? Details = null);

/// <summary>One page of rejected messages; <see cref="NextCursor"/> is null on the last one.</summary>
public sealed record RejectedMessagePage(IReadOnlyList<RejectedMessageDto> Items, Guid? NextCursor);

/// <summary>
/// What the rejected messages of a filter have in common: how many, the most frequent causes, and the formats and devices
/// among them (each counted without its own part of the filter, so the other choices stay visible).
/// </summary>
public sealed record RejectionSummary(long Total, IReadOnlyList<ReasonCount> Reasons, IReadOnlyList<FormatCount> Formats, IReadOnlyList<DeviceCount> Devices);

/// <summary>
/// One cause of rejection: <see cref="Reason"/> is its most frequent wording, <see cref="Count"/> counts every wording of it
/// (<see cref="RejectionCauses"/>), <see cref="Match"/> is the text that finds them in the reason filter.
/// </summary>
public sealed record ReasonCount(string Reason, long Count, string Match);

public sealed record FormatCount(Guid FormatId, string Name, long Count);

public sealed record DeviceCount(Guid DeviceId, string Name, long Count);
