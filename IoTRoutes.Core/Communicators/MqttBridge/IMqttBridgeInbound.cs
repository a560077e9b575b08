namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>What became of a message brought in by a bridge.</summary>
public enum MqttBridgeDelivery
{
    /// <summary>Stored for the device, durably.</summary>
    Stored,

    /// <summary>Recorded for the device as Rejected (its payload over the size limit), durably.</summary>
    Rejected,

    /// <summary>No device has the key within the bridge's part of the entity tree: nothing stored.</summary>
    UnknownDevice,
}

/// <summary>A message a bridge brings in, for the device <paramref name="DeviceKey"/>.</summary>
/// <param name="ScopePath">The path of the bridge's entity: only devices within it can receive ("/": any device).</param>
/// <param name="Topic">The device topic it maps to: <c>devices/&lt;key&gt;/…</c>.</param>
/// <param name="Qos">The QoS it came with from the external broker.</param>
public sealed record MqttBridgeUplink(string ScopePath, string DeviceKey, string Topic, ReadOnlyMemory<byte> Payload, int Qos);

/// <summary>Where a bridge's inbound messages go: into the platform as the uplinks of devices.</summary>
public interface IMqttBridgeInbound
{
    /// <summary>
    /// Stores <paramref name="uplink"/> for its device; completes once it is durable (the bridge acknowledges it to the
    /// broker then). Throws when it could not be stored: the bridge then leaves it unacknowledged, for the broker to
    /// deliver again.
    /// </summary>
    Task<MqttBridgeDelivery> DeliverAsync(MqttBridgeUplink uplink, CancellationToken ct);
}
