using System.Collections.Concurrent;
using IoTRoutes.Core.Devices;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// Counts live connections per device across brokers, so a second connection closing does not mark the device
/// offline. Status writes for one device are serialised and write the state of the count at that moment, so a
/// quick reconnect cannot leave a connected device shown offline.
/// </summary>
public sealed class DeviceConnectionTracker(DeviceStatusService status)
{
    private readonly ConcurrentDictionary<Guid, Connections> _devices = new();

    public Task ConnectedAsync(Guid deviceId, CancellationToken ct) => ChangeAsync(deviceId, +1, ct);

    public Task DisconnectedAsync(Guid deviceId, CancellationToken ct) => ChangeAsync(deviceId, -1, ct);

    private async Task ChangeAsync(Guid deviceId, int delta, CancellationToken ct)
    {
        var connections = _devices.GetOrAdd(deviceId, _ => new Connections());
        await connections.Gate.WaitAsync(ct);
        try
        {
            var wasConnected = connections.Count > 0;
            connections.Count = Math.Max(0, connections.Count + delta);
            var isConnected = connections.Count > 0;
            if (wasConnected != isConnected)
            {
                await status.SetConnectedAsync(deviceId, isConnected, ct);
            }
        }
        finally
        {
            connections.Gate.Release();
        }
    }

    private sealed class Connections
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Count { get; set; }
    }
}
