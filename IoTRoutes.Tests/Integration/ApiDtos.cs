namespace IoTRoutes.Tests.Integration;

// What a client of the REST API sees; kept separate from Core's records on purpose, so a rename in Core breaks a test.
public sealed record CreatedDeviceBody(Guid Id, string Name, string Key, string Secret);

public sealed record DeviceBody(Guid Id, string Name, string Key, Guid EntityId, DateTimeOffset CreatedAt, DateTimeOffset? LastSeenAt, bool IsConnected);

public sealed record MessageBody(
    Guid Id, Guid DeviceId, string DeviceKey, string DeviceName, string Topic, string Payload, int PayloadSize,
    int QualityOfService, DateTimeOffset ReceivedAt, string State, string? RejectionReason, DateTimeOffset? ProcessedAt);

public sealed record StatsBody(long Received, long Processed, long Rejected);

public sealed record ProblemBody(string? Type, string? Title, int? Status, string? Detail, Dictionary<string, string[]>? Errors);
