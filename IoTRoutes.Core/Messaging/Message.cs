using IoTRoutes.Core.Messaging.Lifecycle;

namespace IoTRoutes.Core.Messaging;

/// <summary>One uplink as the device sent it, with its lifecycle state.</summary>
public sealed class Message
{
    public Guid Id { get; set; }
    public Guid DeviceId { get; set; }
    public required string Topic { get; set; }
    /// <summary>The raw payload; empty when the payload was refused for its size (see <see cref="PayloadSize"/>).</summary>
    public byte[] Payload { get; set; } = [];
    public int PayloadSize { get; set; }
    public int QualityOfService { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public MessageState State { get; set; }
    /// <summary>Why the message was rejected, as a sentence for people.</summary>
    public string? RejectionReason { get; set; }

    /// <summary>The parser's own text behind <see cref="RejectionReason"/>, when a parser refused the payload.</summary>
    public string? RejectionDetails { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }

    /// <summary>The decoded object (JSON), when a format decoded the message.</summary>
    public string? Data { get; set; }

    /// <summary>
    /// The same reading in the Device Repository's normalized schema (JSON: an object or an array of objects), when the
    /// format gave one (a script's <c>normalizeUplink</c>); the message's fields are read from it.
    /// </summary>
    public string? NormalizedData { get; set; }

    /// <summary>When the device says it measured (a timestamp in the payload), if it said so.</summary>
    public DateTimeOffset? DeviceTime { get; set; }

    /// <summary>The format and the version of it that decoded (or rejected) the message.</summary>
    public Guid? FormatId { get; set; }

    public int? FormatVersion { get; set; }

    /// <summary>What the decoder warned about, without rejecting the message (one per line).</summary>
    public string? Warnings { get; set; }

    /// <summary>The decoded fields with their units, between decoding and the latest-values update; not stored.</summary>
    internal IReadOnlyList<Formats.FieldDto>? DecodedFields { get; set; }
}
