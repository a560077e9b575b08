using IoTRoutes.Core.Devices;

namespace IoTRoutes.Tests.Infrastructure;

/// <summary>Stands in for the brokers in Core tests that have none; records which devices were to be disconnected.</summary>
public sealed class NoDeviceConnections : IDeviceConnections
{
    public List<string> Disconnected { get; } = [];

    public Task DisconnectAsync(string deviceKey, string reason, CancellationToken ct)
    {
        Disconnected.Add(deviceKey);
        return Task.CompletedTask;
    }
}
