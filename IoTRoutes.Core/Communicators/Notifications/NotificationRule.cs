using IoTRoutes.Core.Workflows.Alerts;

namespace IoTRoutes.Core.Communicators.Notifications;

/// <summary>
/// "When an alert of these types and severities is raised (acknowledged, cleared) on a device of this entity, or these
/// devices, tell these recipients through this communicator with this template." Owned by an entity; it sees alerts of
/// devices of its entity and below.
/// </summary>
public sealed class NotificationRule
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public Guid EntityId { get; set; }
    public Entities.Entity? Entity { get; set; }
    public bool Enabled { get; set; } = true;

    /// <summary>Comma-separated <see cref="AlertEventKind"/> names; Raised by default.</summary>
    public string Events { get; set; } = nameof(AlertEventKind.Raised);

    /// <summary>Comma-separated alert types; empty: any type.</summary>
    public string AlertTypes { get; set; } = "";

    /// <summary>The least severe severity that notifies (Critical is the most severe); null: any.</summary>
    public AlertSeverity? MinSeverity { get; set; }

    /// <summary>Comma-separated device ids; empty: every device of the entity and below.</summary>
    public string DeviceIds { get; set; } = "";

    public Guid CommunicatorId { get; set; }
    public Communicator? Communicator { get; set; }

    /// <summary>Mail: comma-separated addresses. HTTP: the request path. MQTT bridge: the topic. (Liquid templates allowed.)</summary>
    public required string Recipients { get; set; }

    /// <summary>Liquid: the mail's subject (other kinds ignore it).</summary>
    public string SubjectTemplate { get; set; } = "";

    /// <summary>Liquid: the mail's text, the HTTP body, the MQTT payload.</summary>
    public string BodyTemplate { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public enum NotificationStatus
{
    Pending,
    Sent,
    Failed,
}

/// <summary>One notification of one alert event by one rule: what was sent to whom, when, and how it went.</summary>
public sealed class NotificationRecord
{
    /// <summary>Version 7: time-ordered; also the idempotency key given to targets that take one.</summary>
    public Guid Id { get; set; }
    public Guid RuleId { get; set; }
    public required string RuleName { get; set; }
    public Guid AlertId { get; set; }
    public Guid DeviceId { get; set; }
    public AlertEventKind Event { get; set; }
    public Guid CommunicatorId { get; set; }
    public CommunicatorKind Kind { get; set; }
    public required string Recipients { get; set; }
    public string Subject { get; set; } = "";
    public string Body { get; set; } = "";
    public NotificationStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Set while one node sends it (compare-and-set claim), so two nodes never send it twice at once.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public string? Error { get; set; }
}
