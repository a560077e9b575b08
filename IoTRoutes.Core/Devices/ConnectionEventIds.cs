using IoTRoutes.Core.Messaging;

namespace IoTRoutes.Core.Devices;

/// <summary>
/// Ids of connection events: time-ordered and increasing in the order they are made (like message ids), each in flight
/// until its event is written or dropped, so that OnDeviceConnected and OnDeviceDisconnected workflows, reading the events
/// below <see cref="Watermark"/>, never pass one still being written (as OnMessage reads messages).
/// </summary>
public sealed class ConnectionEventIds
{
    private readonly InFlightIds _ids = new(new MessageIdGenerator().Next);

    public Guid NewId(DateTimeOffset at) => _ids.NewId(at);

    /// <summary>The event is written, or will never be.</summary>
    public void Done(Guid id) => _ids.Remove(id);

    public Guid Watermark(DateTimeOffset now) => _ids.Watermark(now);
}
