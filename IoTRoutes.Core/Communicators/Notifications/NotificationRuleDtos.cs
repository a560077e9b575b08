using IoTRoutes.Core.Workflows.Alerts;

namespace IoTRoutes.Core.Communicators.Notifications;

public sealed record NotificationRuleRequest(
    string? Name,
    Guid? EntityId,
    bool? Enabled,
    IReadOnlyList<AlertEventKind>? Events,
    IReadOnlyList<string>? AlertTypes,
    AlertSeverity? MinSeverity,
    IReadOnlyList<Guid>? DeviceIds,
    Guid? CommunicatorId,
    string? Recipients,
    string? SubjectTemplate,
    string? BodyTemplate);

public sealed record NotificationRuleDto(
    Guid Id,
    string Name,
    Guid EntityId,
    string EntityName,
    bool Enabled,
    IReadOnlyList<AlertEventKind> Events,
    IReadOnlyList<string> AlertTypes,
    AlertSeverity? MinSeverity,
    IReadOnlyList<Guid> DeviceIds,
    Guid CommunicatorId,
    string CommunicatorName,
    CommunicatorKind CommunicatorKind,
    string Recipients,
    string SubjectTemplate,
    string BodyTemplate,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A notification as the alert page and the API show it.</summary>
public sealed record NotificationDto(
    Guid Id, Guid RuleId, string RuleName, Guid AlertId, AlertEventKind Event, CommunicatorKind Kind, string Recipients, string Subject,
    NotificationStatus Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, string? Error);
