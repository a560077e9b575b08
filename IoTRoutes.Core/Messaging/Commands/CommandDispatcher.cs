using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Commands;

/// <summary>
/// Moves commands through their lifecycle: publishes pending ones when their device is connected and subscribed,
/// records acknowledgements and replies from the brokers, and expires what waited too long.
/// </summary>
public sealed class CommandDispatcher(
    IDbContextFactory<AppDbContext> contexts,
    BrokerManager brokers,
    BrokerEvents events,
    TimeProvider clock,
    ILogger<CommandDispatcher> logger,
    Formats.FormatCatalog formats) : BackgroundService
{
    private static readonly TimeSpan ExpiryCheck = TimeSpan.FromSeconds(5);
    private IDisposable? _subscription;

    /// <summary>Raised with the device's id whenever one of its commands changes status (for live pages).</summary>
    public event Action<Guid>? CommandsChanged;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = events.Subscribe(OnBrokerEventAsync);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    /// <summary>Publishes the command if it is pending, unexpired and its device is connected.</summary>
    public async Task TrySendAsync(Guid commandId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var command = await db.Commands.AsNoTracking().Include(c => c.Device)
            .SingleOrDefaultAsync(c => c.Id == commandId && c.Status == CommandStatus.Pending, ct);
        if (command?.Device is null || command.ExpiresAt <= now)
        {
            return;
        }

        // Marked sent before publishing, so that an acknowledgement arriving at once cannot be overwritten.
        if (await SetStatusAsync(db, commandId, [CommandStatus.Pending], CommandStatus.Sent, s => s.SetProperty(c => c.SentAt, now), ct) == 0)
        {
            return; // another path sent it meanwhile
        }

        // From here on the request's token no longer applies: a command marked Sent must be published or put back.
        bool published;
        try
        {
            var (payload, problem) = CommandEncoding.Encode(command, formats.For(command.DeviceId));
            published = payload is not null
                ? await brokers.TryPublishCommandAsync(command.Device.Key, command, payload, CancellationToken.None)
                : throw new InvalidOperationException(problem);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Publishing command {CommandId} failed; it stays pending", commandId);
            published = false;
        }

        if (!published)
        {
            await SetStatusAsync(db, commandId, [CommandStatus.Sent], CommandStatus.Pending, s => s.SetProperty(c => c.SentAt, (DateTimeOffset?)null), CancellationToken.None);
        }

        CommandsChanged?.Invoke(command.DeviceId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ExpiryCheck, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await ExpireAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Expiring commands failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task ExpireAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var expired = await db.Commands.Where(c => (c.Status == CommandStatus.Pending || c.Status == CommandStatus.Sent) && c.ExpiresAt <= now)
            .Select(c => new { c.Id, c.DeviceId }).ToListAsync(ct);
        foreach (var command in expired)
        {
            await SetStatusAsync(db, command.Id, [CommandStatus.Pending, CommandStatus.Sent], CommandStatus.Expired, s => s, ct);
            CommandsChanged?.Invoke(command.DeviceId);
        }
    }

    private async Task OnBrokerEventAsync(BrokerEvent e, CancellationToken ct)
    {
        switch (e)
        {
            case DeviceConnected c:
                await SendPendingAsync(c.DeviceId, ct);
                break;
            case DeviceDisconnected d:
                await ReturnUnacknowledgedAsync(d.DeviceId, d.At, ct);
                break;
            case DeviceSubscribedToCommands s:
                await SendPendingAsync(s.DeviceId, ct);
                break;
            case CommandAcknowledged a:
                await UpdateAsync(a.DeviceId, a.CommandId, [CommandStatus.Pending, CommandStatus.Sent], CommandStatus.Delivered,
                    s => s.SetProperty(c => c.DeliveredAt, a.At), ct);
                break;
            case CommandNotConsumed n:
                await PutBackAsync(n.CommandId, ct);
                break;
            case CommandReplied r:
                await UpdateAsync(r.DeviceId, r.CommandId, [CommandStatus.Pending, CommandStatus.Sent, CommandStatus.Delivered, CommandStatus.Replied], CommandStatus.Replied,
                    s => s.SetProperty(c => c.RepliedAt, r.At).SetProperty(c => c.Reply, r.Payload)
                          .SetProperty(c => c.DeliveredAt, c => c.DeliveredAt ?? r.At), ct);
                break;
        }
    }

    /// <summary>
    /// Sent but not acknowledged when the device went away: pending again, so it goes out at the next connection.
    /// A persistent session may deliver it too, so a device can see a command twice (at least once, same id).
    /// Only what was sent before the disconnection: connection changes are handled after the fact (ConnectionChanges),
    /// and a command sent meanwhile to the device's new connection stays Sent.
    /// </summary>
    private async Task ReturnUnacknowledgedAsync(Guid deviceId, DateTimeOffset disconnectedAt, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var returned = await db.Commands.Where(c => c.DeviceId == deviceId && c.Status == CommandStatus.Sent && c.SentAt <= disconnectedAt)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CommandStatus.Pending).SetProperty(c => c.SentAt, (DateTimeOffset?)null), ct);
        if (returned > 0)
        {
            CommandsChanged?.Invoke(deviceId);
        }
    }

    /// <summary>
    /// Nobody took the command: pending again. When the device subscribed while it was on its way (its connection's send
    /// can race its subscription, whose own send then found the command already Sent), it goes out again at once.
    /// </summary>
    private async Task PutBackAsync(Guid commandId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var sent = await db.Commands.AsNoTracking().Where(c => c.Id == commandId && c.Status == CommandStatus.Sent)
            .Select(c => new { c.SentAt, c.Device!.Key }).SingleOrDefaultAsync(ct);
        if (sent is null
            || await SetStatusAsync(db, commandId, [CommandStatus.Sent], CommandStatus.Pending, s => s.SetProperty(c => c.SentAt, (DateTimeOffset?)null), ct) == 0)
        {
            return;
        }

        if (await brokers.CommandsSubscribedAtAsync(sent.Key) is { } subscribed && subscribed >= sent.SentAt)
        {
            await TrySendAsync(commandId, ct);
        }
    }

    private async Task SendPendingAsync(Guid deviceId, CancellationToken ct)
    {
        List<Guid> pending;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var now = clock.GetUtcNow();
            pending = await db.Commands.Where(c => c.DeviceId == deviceId && c.Status == CommandStatus.Pending && c.ExpiresAt > now)
                .OrderBy(c => c.CreatedAt).Select(c => c.Id).ToListAsync(ct);
        }

        foreach (var id in pending)
        {
            await TrySendAsync(id, ct);
        }
    }

    private async Task UpdateAsync(
        Guid deviceId, Guid commandId, CommandStatus[] from, CommandStatus to,
        Func<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<DeviceCommand>, Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<DeviceCommand>> more,
        CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        // Only the device the command was for can acknowledge or answer it.
        if (await db.Commands.AnyAsync(c => c.Id == commandId && c.DeviceId == deviceId, ct)
            && await SetStatusAsync(db, commandId, from, to, more, ct) > 0)
        {
            CommandsChanged?.Invoke(deviceId);
        }
    }

    private static Task<int> SetStatusAsync(
        AppDbContext db, Guid commandId, CommandStatus[] from, CommandStatus to,
        Func<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<DeviceCommand>, Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<DeviceCommand>> more,
        CancellationToken ct) =>
        db.Commands.Where(c => c.Id == commandId && from.Contains(c.Status))
            .ExecuteUpdateAsync(s => more(s.SetProperty(c => c.Status, to)), ct);
}
