using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Devices;

/// <summary>
/// Where a device connects: the broker's ports and how it authenticates, and the public host name when one is
/// configured (<see cref="IoTRoutesOptions.PublicHost"/>; null means the page uses the address it was opened at).
/// </summary>
public sealed record DeviceBrokerAddress(Guid BrokerId, string BrokerName, string? PublicHost, int Port, int? TlsPort, DeviceAuthentication Authentication);

/// <summary>
/// Finds the broker a device belongs to. Any enabled broker accepts any device, so the one it belongs to is the enabled
/// broker owned by its entity or the nearest entity above it; without one, the oldest enabled broker (the default one).
/// </summary>
public sealed class DeviceBrokerLocator(ScopedContexts contexts, IDbContextFactory<AppDbContext> platform, IOptions<IoTRoutesOptions> options)
{
    /// <summary>The address; null when the device is not in the caller's scope or no broker is enabled.</summary>
    public async Task<DeviceBrokerAddress?> FindAsync(Guid deviceId, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Devices), ct);
        await using var _db = db;
        var devicePath = await db.Devices.Where(d => d.Id == deviceId).Select(d => d.Entity!.Path).SingleOrDefaultAsync(ct);
        if (devicePath is null)
        {
            return null;
        }

        // The caller may not see brokers (Brokers.View): where its own device connects is not a secret, so brokers are read unscoped.
        await using var all = await platform.CreateDbContextAsync(ct);
        var brokers = await all.Brokers.AsNoTracking().Where(b => b.Enabled)
            .Select(b => new { b.Id, b.Name, b.Port, b.TlsPort, b.Authentication, b.CreatedAt, OwnerPath = b.Entity!.Path }).ToListAsync(ct);
        var broker = brokers.Where(b => devicePath.StartsWith(b.OwnerPath, StringComparison.Ordinal)).OrderByDescending(b => b.OwnerPath.Length)
            .ThenBy(b => b.CreatedAt).FirstOrDefault() ?? brokers.OrderBy(b => b.CreatedAt).FirstOrDefault();
        var host = string.IsNullOrWhiteSpace(options.Value.PublicHost) ? null : options.Value.PublicHost.Trim();
        return broker is null ? null : new DeviceBrokerAddress(broker.Id, broker.Name, host, broker.Port, broker.TlsPort, broker.Authentication);
    }
}
