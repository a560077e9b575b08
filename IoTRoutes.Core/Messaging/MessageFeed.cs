namespace IoTRoutes.Core.Messaging;

/// <summary>Which devices have new or changed messages.</summary>
public sealed record MessagesChanged(IReadOnlySet<Guid> DeviceIds);

/// <summary>In-process notifications for live pages: raised after messages are stored or change state.</summary>
public sealed class MessageFeed
{
    private readonly Lock _gate = new();
    private Func<MessagesChanged, Task>[] _subscribers = [];

    /// <summary>Live subscriptions (open pages that follow messages).</summary>
    public int Subscribers => Volatile.Read(ref _subscribers).Length;

    public IDisposable Subscribe(Func<MessagesChanged, Task> onChanged)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, onChanged];
        }

        return new Subscription(this, onChanged);
    }

    public void Publish(MessagesChanged change)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            // Subscribers are UI circuits: one slow or failing page must not hold up the pipeline.
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

    private void Unsubscribe(Func<MessagesChanged, Task> onChanged)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => s != onChanged)];
        }
    }

    private sealed class Subscription(MessageFeed feed, Func<MessagesChanged, Task> onChanged) : IDisposable
    {
        public void Dispose() => feed.Unsubscribe(onChanged);
    }
}
