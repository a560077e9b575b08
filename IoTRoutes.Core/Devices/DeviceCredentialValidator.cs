using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Devices;

public sealed record AuthenticatedDevice(Guid Id, string Key);

/// <summary>Checks a device's MQTT user name (its key) and password (its secret).</summary>
public sealed class DeviceCredentialValidator(IDbContextFactory<AppDbContext> contexts)
{
    public async Task<AuthenticatedDevice?> ValidateAsync(string? key, string? secret, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(secret))
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var device = await db.Devices.AsNoTracking()
            .Where(d => d.Key == key)
            .Select(d => new { d.Id, d.Key, d.SecretHash })
            .SingleOrDefaultAsync(ct);
        return device is not null && DeviceSecrets.Matches(secret, device.SecretHash)
            ? new AuthenticatedDevice(device.Id, device.Key)
            : null;
    }
}
