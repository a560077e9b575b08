using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>
/// The running bridges, by communicator id: the communicator service starts one when a bridge is saved or enabled and
/// stops it when it is disabled or deleted; all stop with the application (before the intake writer, which stops after).
/// </summary>
public sealed class MqttBridgeHost(MqttBridgeConnector connector, IMqttBridgeInbound inbound, TimeProvider clock, ILoggerFactory loggers)
    : IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, MqttBridgeConnection> _connections = new();
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly ILogger _logger = loggers.CreateLogger<MqttBridgeHost>();
    private bool _stopped;

    /// <summary>
    /// Starts the bridge <paramref name="id"/> with these settings, replacing (stopping) the one running under that id.
    /// Settings that cannot be used leave it Stopped with the reason in its state.
    /// </summary>
    /// <param name="scopePath">The path of the communicator's entity: inbound messages reach only devices within it.</param>
    public async Task<MqttBridgeConnection> StartAsync(Guid id, MqttBridgeSettings settings, MqttBridgeSecrets secrets, string scopePath = "/")
    {
        await _changes.WaitAsync();
        try
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_connections.TryRemove(id, out var old))
            {
                await old.DisposeAsync();
            }

            var connection = new MqttBridgeConnection(id, settings, secrets, scopePath, connector, inbound, clock, _logger);
            _connections[id] = connection;
            connection.Start();
            return connection;
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Stops and forgets the bridge <paramref name="id"/>; false when none ran under that id.</summary>
    public async Task<bool> StopAsync(Guid id)
    {
        await _changes.WaitAsync();
        try
        {
            if (!_connections.TryRemove(id, out var connection))
            {
                return false;
            }

            await connection.DisposeAsync();
            MqttBridgeLog.Stopped(_logger, id, connection.Settings.Target);
            return true;
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>The running bridge <paramref name="id"/>, for its state and to publish through it; null when none runs.</summary>
    public MqttBridgeConnection? Get(Guid id) => _connections.GetValueOrDefault(id);

    public IReadOnlyCollection<MqttBridgeConnection> All => _connections.Values.ToList();

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    async Task IHostedService.StopAsync(CancellationToken cancellationToken) => await StopAllAsync();

    public async ValueTask DisposeAsync() => await StopAllAsync();

    private async Task StopAllAsync()
    {
        await _changes.WaitAsync();
        try
        {
            _stopped = true;
            foreach (var id in _connections.Keys.ToList())
            {
                if (_connections.TryRemove(id, out var connection))
                {
                    await connection.DisposeAsync();
                }
            }
        }
        finally
        {
            _changes.Release();
        }
    }
}
