namespace IoTRoutes.Core.Messaging.Commands;

/// <summary>A command for a device, published to <c>devices/&lt;key&gt;/commands/&lt;id&gt;</c>, and what became of it.</summary>
public sealed class DeviceCommand
{
    public Guid Id { get; set; }
    public Guid DeviceId { get; set; }
    public Devices.Device? Device { get; set; }
    public required string Name { get; set; }
    public byte[] Payload { get; set; } = [];
    public CommandStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset? RepliedAt { get; set; }
    public byte[]? Reply { get; set; }
    public Guid? CreatedByUserId { get; set; }
    public string? CreatedBy { get; set; }
}

public enum CommandStatus
{
    /// <summary>Waiting for the device to be connected and subscribed; kept until it expires.</summary>
    Pending,

    /// <summary>Published to the device's connection; no acknowledgement yet.</summary>
    Sent,

    /// <summary>The device acknowledged it (PUBACK).</summary>
    Delivered,

    /// <summary>The device published a reply to <c>devices/&lt;key&gt;/commands/&lt;id&gt;/reply</c>.</summary>
    Replied,

    /// <summary>Not delivered before its expiry.</summary>
    Expired,
}
