using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Workflows.Alerts;

/// <summary>An alert as the Alerts page and <c>GET /api/v1/alerts</c> show it.</summary>
public sealed record AlertDto(
    Guid Id,
    Guid DeviceId,
    string DeviceName,
    string Type,
    AlertSeverity Severity,
    AlertState State,
    string Message,
    int Count,
    JsonNode? LastValue,
    DateTimeOffset FirstRaisedAt,
    DateTimeOffset LastRaisedAt,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy,
    DateTimeOffset? ClearedAt,
    string? ClearedBy,
    Guid? WorkflowId,
    string? NodeId);

/// <summary>One page of alerts, newest first; <see cref="NextCursor"/> is null on the last one.</summary>
public sealed record AlertPage(IReadOnlyList<AlertDto> Items, Guid? NextCursor);

/// <summary>
/// A raise from a workflow: which device, what, how bad, the rendered message and the value, which node raised it, and
/// for which stored event (<see cref="EventId"/>: a run repeated after a crash raises again for the same event, and is
/// recognised).
/// </summary>
public sealed record AlertRaise(
    Guid DeviceId, string Type, AlertSeverity Severity, string Message, JsonNode? Value = null, Guid? WorkflowId = null, string? NodeId = null,
    Guid? EventId = null);

/// <summary>What a raise did: the open alert it opened or updated, and its count now.</summary>
public sealed record AlertRaised(Guid AlertId, bool Opened, int Count);

/// <summary>Which alerts have changed (raised, acknowledged, cleared), for live pages.</summary>
public sealed record AlertsChanged(IReadOnlySet<Guid> DeviceIds);

/// <summary>What the caller's alerts can be filtered by: their devices and types.</summary>
public sealed record AlertFacets(IReadOnlyList<AlertDevice> Devices, IReadOnlyList<string> Types);

public sealed record AlertDevice(Guid Id, string Name);
