using IoTRoutes.Core.Messaging;

namespace IoTRoutes.Core.Devices;

/// <summary>
/// Ids of connection events: time-ordered and increasing in the order they are made (like message ids), each counted as
/// in flight until its event is written or dropped, so that workflows reading the events below <see cref="Watermark"/>
/// never pass one still being written (OnDeviceConnected and OnDeviceDisconnected read them as OnMessage reads messages).
/// </summary>
public sealed class ConnectionEventIds
{
    private readonly MessageIdGenerator _generator = new();
    private readonly SortedSet<Guid> _inFlight = [];
    private readonly Lock _gate = new();

    public Guid NewId(DateTimeOffset at)
    {
        lock (_gate)
        {
            var id = _generator.Next(at);
            _inFlight.Add(id);
            return id;
        }
    }

    /// <summary>The event is written, or will never be.</summary>
    public void Done(Guid id)
    {
        lock (_gate) _inFlight.Remove(id);
    }

    /// <summary>Every event this process writes with an id below this one is written already.</summary>
    public Guid Watermark(DateTimeOffset now)
    {
        lock (_gate) return _inFlight.Count > 0 ? _inFlight.Min : _generator.Next(now);
    }
}
