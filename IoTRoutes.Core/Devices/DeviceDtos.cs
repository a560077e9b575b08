namespace IoTRoutes.Core.Devices;

public sealed record DeviceDto(Guid Id, string Name, string Key, Guid EntityId, DateTimeOffset CreatedAt, DateTimeOffset? LastSeenAt, bool IsConnected, Guid? ProfileId = null);

/// <summary>Returned once, at creation: the secret is not stored and cannot be shown again.</summary>
public sealed record CreatedDeviceDto(Guid Id, string Name, string Key, string Secret);

/// <summary>A new device; <paramref name="EntityId"/> defaults to the caller's own entity.</summary>
public sealed record CreateDeviceRequest(string? Name, Guid? EntityId = null, Guid? ProfileId = null);

/// <summary>Changes to a device; what is null stays. <paramref name="RemoveProfile"/>: no profile any more (plain JSON).</summary>
public sealed record UpdateDeviceRequest(string? Name = null, Guid? ProfileId = null, bool RemoveProfile = false);

public sealed record CreateDeviceResult(CreatedDeviceDto? Device, IReadOnlyDictionary<string, string[]>? Errors);

/// <summary>A device to add whose name, entity and profile were checked; <paramref name="AuditDetails"/> go into its audit entry.</summary>
internal sealed record NewDevice(string Name, Guid EntityId, Guid? ProfileId, string AuditDetails);
