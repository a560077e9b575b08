using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Devices;

/// <summary>Keeps a device's connection flag and last-seen time current.</summary>
public sealed class DeviceStatusService(IDbContextFactory<AppDbContext> contexts, TimeProvider clock)
{
    public async Task SetConnectedAsync(Guid deviceId, bool connected, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        await db.Devices.Where(d => d.Id == deviceId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.IsConnected, connected).SetProperty(d => d.LastSeenAt, now), ct);
    }

    /// <summary>Marks every device disconnected; at start-up, no connection survives the previous run.</summary>
    public async Task ResetConnectionsAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.Devices.Where(d => d.IsConnected).ExecuteUpdateAsync(s => s.SetProperty(d => d.IsConnected, false), ct);
    }
}
