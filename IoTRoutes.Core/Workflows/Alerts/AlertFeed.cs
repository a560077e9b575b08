namespace IoTRoutes.Core.Workflows.Alerts;

/// <summary>In-process notifications for live pages: raised after an alert is raised, acknowledged or cleared.</summary>
public sealed class AlertFeed
{
    private readonly Lock _gate = new();
    private Func<AlertsChanged, Task>[] _subscribers = [];

    public IDisposable Subscribe(Func<AlertsChanged, Task> onChanged)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, onChanged];
        }

        return new Subscription(this, onChanged);
    }

    public void Publish(AlertsChanged change)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            // Subscribers are UI circuits: a slow or failing page must not hold up the workflow that raised the alert.
            _ = Task.Run(async () =>
            {
                try
                {
                    await subscriber(change);
                }
                catch (Exception)
                {
                    // A page that went away while being notified; nothing to do.
                }
            });
        }
    }

    public void Publish(Guid deviceId) => Publish(new AlertsChanged(new HashSet<Guid> { deviceId }));

    private void Unsubscribe(Func<AlertsChanged, Task> onChanged)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => s != onChanged)];
        }
    }

    private sealed class Subscription(AlertFeed feed, Func<AlertsChanged, Task> onChanged) : IDisposable
    {
        public void Dispose() => feed.Unsubscribe(onChanged);
    }
}
