using System.Collections.Concurrent;
using IoTRoutes.Core.Devices;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>Counts live connections per device across brokers, so a second connection closing does not mark the device offline.</summary>
public sealed class DeviceConnectionTracker(DeviceStatusService status)
{
    private readonly ConcurrentDictionary<Guid, int> _connections = new();

    public Task ConnectedAsync(Guid deviceId, CancellationToken ct)
    {
        var count = _connections.AddOrUpdate(deviceId, 1, (_, n) => n + 1);
        return count == 1 ? status.SetConnectedAsync(deviceId, true, ct) : Task.CompletedTask;
    }

    public Task DisconnectedAsync(Guid deviceId, CancellationToken ct)
    {
        var count = _connections.AddOrUpdate(deviceId, 0, (_, n) => Math.Max(0, n - 1));
        if (count > 0)
        {
            return Task.CompletedTask;
        }

        _connections.TryRemove(new KeyValuePair<Guid, int>(deviceId, 0));
        return status.SetConnectedAsync(deviceId, false, ct);
    }
}
