namespace IoTRoutes.Core.Devices;

public sealed record DeviceDto(Guid Id, string Name, string Key, DateTimeOffset CreatedAt, DateTimeOffset? LastSeenAt, bool IsConnected);

/// <summary>Returned once, at creation: the secret is not stored and cannot be shown again.</summary>
public sealed record CreatedDeviceDto(Guid Id, string Name, string Key, string Secret);

public sealed record CreateDeviceRequest(string? Name);

public sealed record CreateDeviceResult(CreatedDeviceDto? Device, IReadOnlyDictionary<string, string[]>? Errors);
