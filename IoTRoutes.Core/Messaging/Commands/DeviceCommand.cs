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

    /// <summary>Who sent it, as shown: the user's e-mail, or <c>Workflow &lt;name&gt;</c>.</summary>
    public string? CreatedBy { get; set; }

    /// <summary>The workflow that sent it (no foreign key: the command's history outlives the workflow).</summary>
    public Guid? WorkflowId { get; set; }

    /// <summary>
    /// A workflow's effect key (event + node, unique): a run repeated after a crash finds the command it already sent
    /// instead of sending another.
    /// </summary>
    public string? EffectKey { get; set; }
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
