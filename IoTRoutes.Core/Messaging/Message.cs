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
    public string? RejectionReason { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
}
