using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Devices;

/// <summary>The device registry: list, read, create, delete.</summary>
public sealed class DeviceService(IDbContextFactory<AppDbContext> contexts, TimeProvider clock)
{
    public async Task<IReadOnlyList<DeviceDto>> ListAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var devices = await db.Devices.AsNoTracking().OrderBy(d => d.Name).ThenBy(d => d.Key).ToListAsync(ct);
        return devices.ConvertAll(ToDto);
    }

    public async Task<DeviceDto?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var device = await db.Devices.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct);
        return device is null ? null : ToDto(device);
    }

    public async Task<CreateDeviceResult> CreateAsync(CreateDeviceRequest request, CancellationToken ct)
    {
        if (DeviceRules.CheckName(request.Name) is { } problem)
        {
            return new CreateDeviceResult(null, new Dictionary<string, string[]> { ["name"] = [problem] });
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var secret = DeviceSecrets.NewSecret();
        var device = new Device
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name!.Trim(),
            Key = await NewUniqueKeyAsync(db, ct),
            SecretHash = DeviceSecrets.Hash(secret),
            CreatedAt = clock.GetUtcNow(),
        };
        db.Devices.Add(device);
        await db.SaveChangesAsync(ct);
        return new CreateDeviceResult(new CreatedDeviceDto(device.Id, device.Name, device.Key, secret), null);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Devices.Where(d => d.Id == id).ExecuteDeleteAsync(ct) > 0;
    }

    private static async Task<string> NewUniqueKeyAsync(AppDbContext db, CancellationToken ct)
    {
        // 32^12 keys: a clash is practically impossible, but cheap to rule out.
        while (true)
        {
            var key = DeviceSecrets.NewKey();
            if (!await db.Devices.AnyAsync(d => d.Key == key, ct))
            {
                return key;
            }
        }
    }

    private static DeviceDto ToDto(Device d) => new(d.Id, d.Name, d.Key, d.CreatedAt, d.LastSeenAt, d.IsConnected);
}
