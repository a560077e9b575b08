namespace IoTRoutes.Core.Devices;

public sealed record DeviceDto(Guid Id, string Name, string Key, Guid EntityId, DateTimeOffset CreatedAt, DateTimeOffset? LastSeenAt, bool IsConnected);

/// <summary>Returned once, at creation: the secret is not stored and cannot be shown again.</summary>
public sealed record CreatedDeviceDto(Guid Id, string Name, string Key, string Secret);

/// <summary>A new device; <paramref name="EntityId"/> defaults to the caller's own entity.</summary>
public sealed record CreateDeviceRequest(string? Name, Guid? EntityId = null);

public sealed record CreateDeviceResult(CreatedDeviceDto? Device, IReadOnlyDictionary<string, string[]>? Errors);
