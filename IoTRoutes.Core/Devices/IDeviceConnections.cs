namespace IoTRoutes.Core.Devices;

/// <summary>Live MQTT connections of devices, as far as the registry needs them (implemented by the broker manager).</summary>
public interface IDeviceConnections
{
    /// <summary>Closes every connection of the device; used when its secret changes.</summary>
    Task DisconnectAsync(string deviceKey, CancellationToken ct);
}
