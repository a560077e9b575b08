using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Workflows.Alerts;

public enum AlertEventKind
{
    /// <summary>A new alert was opened (a repeat of an open one only counts).</summary>
    Raised,
    Acknowledged,
    Cleared,
}

/// <summary>Something that happened to an alert, as OnAlert jobs see it.</summary>
public sealed record AlertEvent(
    Guid AlertId, Guid DeviceId, string Type, AlertSeverity Severity, AlertEventKind Kind, string Message, int Count, DateTimeOffset At, string? By);

/// <summary>
/// In-process publication of <see cref="AlertEvent"/>s, awaited in order after the change is stored (unlike the pages'
/// <see cref="AlertFeed"/>): a handler that fails is logged and does not undo the change nor stop the others.
/// </summary>
public sealed class AlertEvents(ILogger<AlertEvents> logger)
{
    private volatile Func<AlertEvent, CancellationToken, Task>[] _handlers = [];
    private readonly Lock _gate = new();

    public void Subscribe(Func<AlertEvent, CancellationToken, Task> handler)
    {
        lock (_gate) _handlers = [.. _handlers, handler];
    }

    public async Task PublishAsync(AlertEvent e, CancellationToken ct)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                await handler(e, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogError(ex, "A handler of the {Kind} of alert {AlertId} failed", e.Kind, e.AlertId);
            }
        }
    }
}
