namespace IoTRoutes.Core.Workflows.Alerts;

/// <summary>
/// Something wrong with a device, raised by a workflow and followed by people: at most one open (Active or Acknowledged)
/// alert per device and type, which a new raise updates; once cleared, the next raise opens a new one.
/// </summary>
public sealed class Alert
{
    public Guid Id { get; set; }
    public Guid DeviceId { get; set; }
    public Devices.Device? Device { get; set; }

    /// <summary>The device's entity at the last raise; who may see the alert follows the device (its current entity).</summary>
    public Guid EntityId { get; set; }

    /// <summary>What is wrong, as the workflow names it (<c>HighTemperature</c>); the unit of de-duplication with the device.</summary>
    public required string Type { get; set; }

    public AlertSeverity Severity { get; set; }
    public AlertState State { get; set; }
    public required string Message { get; set; }

    /// <summary>How many times it was raised while open.</summary>
    public int Count { get; set; }

    /// <summary>The value that raised it last, as JSON; null when the action has none (or it was too long to keep).</summary>
    public string? LastValue { get; set; }

    public DateTimeOffset FirstRaisedAt { get; set; }
    public DateTimeOffset LastRaisedAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public Guid? AcknowledgedByUserId { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTimeOffset? ClearedAt { get; set; }

    /// <summary>Null with <see cref="ClearedAt"/> set: cleared by a workflow (ClearAlert).</summary>
    public Guid? ClearedByUserId { get; set; }
    public string? ClearedBy { get; set; }

    /// <summary>The workflow and node that raised it last, and the stored event (message, connection) it raised it for.</summary>
    public Guid? WorkflowId { get; set; }
    public string? NodeId { get; set; }
    public Guid? LastEventId { get; set; }
}

/// <summary>Most severe first, so that ordering by severity puts Critical on top.</summary>
public enum AlertSeverity
{
    Critical,
    Major,
    Minor,
    Warning,
    Indeterminate,
}

public enum AlertState
{
    Active,
    Acknowledged,
    Cleared,
}

public static class AlertRules
{
    public const int MaxTypeLength = 100;
    public const int MaxMessageLength = 1000;
    public const int MaxValueLength = 4000;
    public const int MaxNodeIdLength = 100;

    public static string? CheckType(string? type) =>
        string.IsNullOrWhiteSpace(type) ? "An alert type is required."
        : type.Trim().Length > MaxTypeLength ? $"An alert type has at most {MaxTypeLength} characters."
        : type.Any(char.IsControl) ? "An alert type has no control characters."
        : null;
}
