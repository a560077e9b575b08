using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// Devices connecting and disconnecting, handled in the order they happened but off MQTTnet's connection path: the
/// device's online flag, then the broker event (connection history, command redelivery, jobs). MQTTnet awaits its
/// connected handler before it reads the client's first packet, so a slow or locked database used to hold every
/// connecting device's publishes, and a reconnect storm ran at the database's pace.
/// </summary>
public sealed partial class ConnectionChanges(DeviceConnectionTracker tracker, BrokerEvents events, ILogger<ConnectionChanges> logger) : BackgroundService
{
    private readonly Channel<BrokerEvent> _queue = Channel.CreateUnbounded<BrokerEvent>(new UnboundedChannelOptions { SingleReader = true });

    public void Post(DeviceConnected connected) => _queue.Writer.TryWrite(connected);

    public void Post(DeviceDisconnected disconnected) => _queue.Writer.TryWrite(disconnected);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var change in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await HandleAsync(change);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping after the brokers: what they reported last (the disconnections of shutdown) still goes to history.
            while (_queue.Reader.TryRead(out var change))
            {
                await HandleAsync(change);
            }
        }
    }

    private async Task HandleAsync(BrokerEvent change)
    {
        var (deviceId, deviceKey, connected) = change switch
        {
            DeviceConnected c => (c.DeviceId, c.DeviceKey, true),
            DeviceDisconnected d => (d.DeviceId, d.DeviceKey, false),
            _ => throw new InvalidOperationException($"Not a connection change: {change.GetType().Name}"),
        };
        try
        {
            await (connected ? tracker.ConnectedAsync(deviceId, CancellationToken.None) : tracker.DisconnectedAsync(deviceId, CancellationToken.None));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            StatusFailed(logger, deviceKey, e);
        }

        await events.PublishAsync(change, CancellationToken.None);
    }

    [LoggerMessage(2020, LogLevel.Warning, "Updating the connection status of device {DeviceKey} failed")]
    private static partial void StatusFailed(ILogger logger, string deviceKey, Exception exception);
}
