using System.Text.Json;

namespace IoTRoutes.Core.Messaging.Commands;

/// <summary>A command to send: a name, any JSON payload, and optionally how long it may wait for the device (default 24 h).</summary>
public sealed record SendCommandRequest(string? Name, JsonElement? Payload = null, int? ExpiresInSeconds = null);

/// <summary>A command and what became of it; <c>CreatedBy</c> is the user's e-mail or <c>Workflow &lt;name&gt;</c> (then <c>WorkflowId</c> is set).</summary>
public sealed record CommandDto(
    Guid Id,
    Guid DeviceId,
    string Name,
    string? Payload,
    CommandStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? SentAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? RepliedAt,
    string? Reply,
    string? CreatedBy,
    string Topic,
    Guid? WorkflowId = null);
