namespace IoTRoutes.Core.Devices.Attributes;

/// <summary>In-process notifications for live pages: raised after a device's attributes changed (by a user or a workflow).</summary>
public sealed class DeviceAttributeFeed
{
    private readonly Lock _gate = new();
    private Func<Guid, Task>[] _subscribers = [];

    /// <param name="onChanged">Called with the device whose attributes changed.</param>
    public IDisposable Subscribe(Func<Guid, Task> onChanged)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, onChanged];
        }

        return new Subscription(this, onChanged);
    }

    public void Publish(Guid deviceId)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            // Subscribers are UI circuits: a slow or failing page must not hold up the workflow that set the attribute.
            _ = Task.Run(async () =>
            {
                try
                {
                    await subscriber(deviceId);
                }
                catch (Exception)
                {
                    // A page that went away while being notified; nothing to do.
                }
            });
        }
    }

    private void Unsubscribe(Func<Guid, Task> onChanged)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => s != onChanged)];
        }
    }

    private sealed class Subscription(DeviceAttributeFeed feed, Func<Guid, Task> onChanged) : IDisposable
    {
        public void Dispose() => feed.Unsubscribe(onChanged);
    }
}
