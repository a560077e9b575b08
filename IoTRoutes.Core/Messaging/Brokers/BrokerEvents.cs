using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>Something a broker saw that the rest of the platform (commands, history, pages, jobs) reacts to.</summary>
public abstract record BrokerEvent(Guid BrokerId, DateTimeOffset At);

public sealed record DeviceConnected(Guid BrokerId, DateTimeOffset At, Guid DeviceId, string DeviceKey, string ClientId, string? RemoteAddress, string Protocol)
    : BrokerEvent(BrokerId, At);

public sealed record DeviceDisconnected(Guid BrokerId, DateTimeOffset At, Guid DeviceId, string DeviceKey, string ClientId, string? RemoteAddress, string Reason)
    : BrokerEvent(BrokerId, At);

/// <summary>The device subscribed to a filter that covers its commands topic.</summary>
public sealed record DeviceSubscribedToCommands(Guid BrokerId, DateTimeOffset At, Guid DeviceId) : BrokerEvent(BrokerId, At);

public sealed record CommandAcknowledged(Guid BrokerId, DateTimeOffset At, Guid DeviceId, Guid CommandId) : BrokerEvent(BrokerId, At);

/// <summary>A command was published but no subscription took it (the device is not subscribed to its commands).</summary>
public sealed record CommandNotConsumed(Guid BrokerId, DateTimeOffset At, Guid CommandId) : BrokerEvent(BrokerId, At);

public sealed record CommandReplied(Guid BrokerId, DateTimeOffset At, Guid DeviceId, Guid CommandId, byte[] Payload) : BrokerEvent(BrokerId, At);

/// <summary>
/// In-process publication of <see cref="BrokerEvent"/>s. Handlers run in order and are awaited, so a broker can
/// wait until a reply is durably recorded before it acknowledges it; a failing handler is logged and does not
/// stop the others.
/// </summary>
public sealed class BrokerEvents(ILogger<BrokerEvents> logger)
{
    private volatile Func<BrokerEvent, CancellationToken, Task>[] _handlers = [];
    private readonly Lock _gate = new();

    public IDisposable Subscribe(Func<BrokerEvent, CancellationToken, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Subscription(this, handler);
    }

    public async Task PublishAsync(BrokerEvent e, CancellationToken ct)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                await handler(e, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogError(ex, "A handler of {Event} failed", e.GetType().Name);
            }
        }
    }

    private void Unsubscribe(Func<BrokerEvent, CancellationToken, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers.Where(h => h != handler)];
        }
    }

    private sealed class Subscription(BrokerEvents owner, Func<BrokerEvent, CancellationToken, Task> handler) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(handler);
    }
}
