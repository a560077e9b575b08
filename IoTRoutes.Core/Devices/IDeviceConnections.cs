namespace IoTRoutes.Core.Devices;

/// <summary>Live MQTT connections of devices, as far as the registry needs them (implemented by the broker manager).</summary>
public interface IDeviceConnections
{
    /// <summary>Closes every connection of the device (its secret changed, a certificate was revoked, it was deleted); the reason goes to the client.</summary>
    Task DisconnectAsync(string deviceKey, string reason, CancellationToken ct);
}

/// <summary>What a device is told when the platform closes its connections.</summary>
public static class DeviceDisconnectReasons
{
    public const string CredentialsChanged = "The device's credentials changed.";
    public const string Deleted = "The device was deleted.";
}
