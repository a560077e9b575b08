using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Commands;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// Runs the brokers the database says are enabled, and applies changes at once: a broker is started, restarted
/// with new settings or stopped while the rest keep running. Creates the default broker at first start.
/// </summary>
public sealed class BrokerManager(
    IDbContextFactory<AppDbContext> contexts,
    IOptions<DefaultBrokerOptions> defaultBroker,
    IOptions<MessagingOptions> messaging,
    BrokerHostServices services,
    DeviceStatusService status,
    ILoggerFactory loggers) : IHostedService, IDeviceConnections
{
    private readonly ConcurrentDictionary<Guid, BrokerRuntime> _runtimes = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger _logger = loggers.CreateLogger<BrokerManager>();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await status.ResetConnectionsAsync(cancellationToken);
        await CreateDefaultBrokerIfNoneAsync(cancellationToken);
        List<Guid> enabled;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            enabled = await db.Brokers.Where(b => b.Enabled).Select(b => b.Id).ToListAsync(cancellationToken);
        }

        foreach (var id in enabled)
        {
            await ApplyAsync(id); // a broker that cannot start is reported on its page; the others still start
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var runtime in _runtimes.Values)
        {
            if (runtime.Host is { } host)
            {
                await host.StopAsync();
            }
        }
    }

    /// <summary>
    /// Makes the running broker match its stored definition, read here under the gate so that concurrent changes
    /// apply in the order they were saved: stopped when disabled or deleted, (re)started when enabled.
    /// Returns why it could not start, or null.
    /// </summary>
    public async Task<string?> ApplyAsync(Guid brokerId)
    {
        await _gate.WaitAsync();
        try
        {
            BrokerDefinition? definition;
            await using (var db = await contexts.CreateDbContextAsync())
            {
                definition = await db.Brokers.AsNoTracking().SingleOrDefaultAsync(b => b.Id == brokerId);
            }

            var runtime = _runtimes.GetOrAdd(brokerId, _ => new BrokerRuntime());
            if (runtime.Host is { } running)
            {
                runtime.Host = null;
                await running.StopAsync();
                runtime.Set(BrokerState.Stopped, services.Clock, null);
            }

            if (definition is null)
            {
                _runtimes.TryRemove(brokerId, out _);
                return null;
            }

            runtime.Name = definition.Name;
            runtime.Wanted = definition.Enabled;
            if (!definition.Enabled)
            {
                runtime.Set(BrokerState.Stopped, services.Clock, null);
                return null;
            }

            var host = new BrokerHost(definition, services, loggers.CreateLogger($"IoTRoutes.Broker.{definition.Name}"));
            try
            {
                await host.StartAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var error = DescribeStartFailure(definition, e);
                if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse or SocketError.AddressNotAvailable or SocketError.AccessDenied })
                {
                    // Explained in full by the message: a stack trace would only bury it.
                    _logger.LogError("Broker {Broker} could not start: {Error}", definition.Name, error);
                }
                else
                {
                    _logger.LogError(e, "Broker {Broker} could not start: {Error}", definition.Name, error);
                }
                runtime.Set(BrokerState.Failed, services.Clock, error);
                return error;
            }

            runtime.Host = host;
            runtime.Set(BrokerState.Running, services.Clock, null);
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The broker stays off after a failed start: still shown as failed, but no longer counted against health.</summary>
    public void GiveUp(Guid brokerId)
    {
        if (_runtimes.TryGetValue(brokerId, out var runtime))
        {
            runtime.Wanted = false;
        }
    }

    /// <summary>Stops the broker and forgets it (it was deleted).</summary>
    public async Task RemoveAsync(Guid brokerId)
    {
        await _gate.WaitAsync();
        try
        {
            if (_runtimes.TryRemove(brokerId, out var runtime) && runtime.Host is { } host)
            {
                await host.StopAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public BrokerStatusDto StatusOf(Guid brokerId)
    {
        if (!_runtimes.TryGetValue(brokerId, out var runtime))
        {
            return new BrokerStatusDto(BrokerState.Stopped, null, null, 0, 0, 0);
        }

        var host = runtime.Host;
        return new BrokerStatusDto(runtime.State, runtime.Since, runtime.LastError, host?.ConnectedClients ?? 0,
            host?.MessagesIn.PerSecond ?? 0, host?.MessagesOut.PerSecond ?? 0, host?.AwaitingConnect.Now ?? 0, host?.AwaitingConnect.Refused ?? 0);
    }

    public async Task<IReadOnlyList<BrokerClientDto>> ClientsOfAsync(Guid brokerId) =>
        _runtimes.TryGetValue(brokerId, out var runtime) && runtime.Host is { } host ? await host.ListClientsAsync() : [];

    /// <summary>The running brokers.</summary>
    public IReadOnlyList<BrokerHost> Hosts => [.. _runtimes.Values.Select(r => r.Host).OfType<BrokerHost>()];

    /// <summary>Publishes the command on the broker the device is connected to; false when it is connected nowhere.</summary>
    public async Task<bool> TryPublishCommandAsync(string deviceKey, DeviceCommand command, CommandPayload payload, CancellationToken ct)
    {
        foreach (var host in Hosts)
        {
            if (await host.IsDeviceConnectedAsync(deviceKey))
            {
                await host.PublishCommandAsync(deviceKey, command, payload, ct);
                return true;
            }
        }

        return false;
    }

    /// <summary>When a connection of the device last subscribed to its commands, on any broker; null when none has.</summary>
    public async Task<DateTimeOffset?> CommandsSubscribedAtAsync(string deviceKey)
    {
        DateTimeOffset? latest = null;
        foreach (var host in Hosts)
        {
            if (await host.CommandsSubscribedAtAsync(deviceKey) is { } at && (latest is null || at > latest)) latest = at;
        }

        return latest;
    }

    public async Task DisconnectAsync(string deviceKey, string reason, CancellationToken ct)
    {
        foreach (var host in Hosts)
        {
            await host.DisconnectDeviceAsync(deviceKey, reason);
        }
    }

    private async Task CreateDefaultBrokerIfNoneAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Brokers.AnyAsync(ct))
        {
            return;
        }

        var options = defaultBroker.Value;
        db.Brokers.Add(new BrokerDefinition
        {
            Id = Guid.CreateVersion7(),
            Name = options.Name,
            EntityId = RootEntity.Id,
            Enabled = options.Enabled,
            BindAddress = options.BindAddress,
            Port = options.Port,
            TlsPort = options.TlsPort > 0 ? options.TlsPort : null,
            Authentication = options.TlsPort > 0 ? DeviceAuthentication.SecretOrCertificate : DeviceAuthentication.Secret,
            MaxPayloadBytes = messaging.Value.MaxPayloadBytes,
            MaxConnectAttemptsPerMinute = options.MaxConnectAttemptsPerMinute,
            MaxPendingConnectsPerAddress = options.MaxPendingConnectsPerAddress,
            MaxPendingConnects = Math.Max(BrokerRules.DefaultMaxPendingConnects, options.MaxPendingConnectsPerAddress),
            WebSockets = true,
            CreatedAt = services.Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
        _logger.LogInformation("Created the default broker {Broker} on port {Port}", options.Name, options.Port);
    }

    private static string DescribeStartFailure(BrokerDefinition definition, Exception e)
    {
        if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
        {
            var taken = new[] { definition.Port, definition.TlsPort ?? 0 }.Where(p => p > 0 && !IsFree(definition.BindAddress, p)).ToList();
            const string hint = " Another program (or another IoTRoutes) listens there: stop it, or give this broker other ports on the Brokers page.";
            return taken.Count switch
            {
                1 => $"Port {taken[0]} is already in use on {definition.BindAddress}; the broker stays off." + hint,
                > 1 => $"Ports {string.Join(" and ", taken)} are already in use on {definition.BindAddress}; the broker stays off." + hint,
                _ => $"A port of this broker is already in use on {definition.BindAddress}; the broker stays off." + hint,
            };
        }

        if (e is SocketException { SocketErrorCode: SocketError.AddressNotAvailable })
        {
            return $"This machine has no address {definition.BindAddress}; the broker stays off.";
        }

        if (e is SocketException { SocketErrorCode: SocketError.AccessDenied })
        {
            return $"Not allowed to listen on port {definition.Port}{(definition.TlsPort is { } t ? $" or {t}" : "")} (ports below 1024 need privileges); the broker stays off.";
        }

        return $"{e.Message} The broker stays off.";
    }

    private static bool IsFree(string address, int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Parse(address), port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Enabled brokers that could not start.</summary>
    public IReadOnlyList<string> FailedBrokers => [.. _runtimes.Values.Where(r => r.State == BrokerState.Failed && r.Wanted).Select(r => r.Name)];

    private sealed class BrokerRuntime
    {
        public string Name { get; set; } = "";

        /// <summary>Whether the broker is meant to run (enabled); a failed broker that is not wanted does not make health red.</summary>
        public bool Wanted { get; set; }
        public BrokerHost? Host { get; set; }
        public BrokerState State { get; private set; } = BrokerState.Stopped;
        public DateTimeOffset? Since { get; private set; }
        public string? LastError { get; private set; }

        public void Set(BrokerState state, TimeProvider clock, string? error)
        {
            State = state;
            Since = clock.GetUtcNow();
            LastError = error ?? LastError; // the last error stays visible after a later successful start
        }
    }
}
