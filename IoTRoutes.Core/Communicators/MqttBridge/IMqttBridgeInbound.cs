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
    /// Queues <paramref name="uplink"/> for storage, in the order of the calls; the returned task completes once it is
    /// durable (the bridge acknowledges it to the broker then), or faults when it could not be stored (the bridge leaves
    /// it unacknowledged, for the broker to deliver again). Like <c>MessageIntake.SubmitAsync</c>, so that a bridge
    /// has many messages in one commit rather than one commit per message.
    /// </summary>
    Task<Task<MqttBridgeDelivery>> SubmitAsync(MqttBridgeUplink uplink, CancellationToken ct);
}
