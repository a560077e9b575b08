using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace IoTRoutes.Core.Devices;

/// <summary>
/// Records every device connection and disconnection the brokers report. A connection of a device deleted while it was
/// connecting (after its credentials were checked, before its deletion closed its connections) is closed here.
/// </summary>
public sealed class ConnectionEventRecorder(IDbContextFactory<AppDbContext> contexts, BrokerEvents events, IDeviceConnections connections, ConnectionEventIds ids) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = events.Subscribe(RecordAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private async Task RecordAsync(BrokerEvent e, CancellationToken ct)
    {
        var entry = e switch
        {
            DeviceConnected c => new DeviceConnectionEvent
            {
                DeviceId = c.DeviceId, Connected = true, ClientId = c.ClientId, RemoteAddress = c.RemoteAddress, Protocol = c.Protocol,
            },
            DeviceDisconnected d => new DeviceConnectionEvent
            {
                DeviceId = d.DeviceId, Connected = false, ClientId = d.ClientId, RemoteAddress = d.RemoteAddress, Reason = TextLimits.Clip(d.Reason, 512),
            },
            _ => null,
        };
        if (entry is null)
        {
            return;
        }

        entry.Id = ids.NewId(e.At);
        entry.BrokerId = e.BrokerId;
        entry.At = e.At;
        entry.ClientId = TextLimits.Clip(entry.ClientId, 256);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            if (!await db.Devices.IgnoreQueryFilters().AnyAsync(d => d.Id == entry.DeviceId, ct))
            {
                if (e is DeviceConnected connected)
                {
                    await connections.DisconnectAsync(connected.DeviceKey, DeviceDisconnectReasons.Deleted, ct);
                }

                return; // its history went with it
            }

            db.ConnectionEvents.Add(entry);
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            ids.Done(entry.Id);
        }
    }
}

public sealed record ConnectionEventDto(DateTimeOffset At, bool Connected, Guid BrokerId, string? ClientId, string? RemoteAddress, string? Protocol, string? Reason);

public sealed record ConnectionEventPage(IReadOnlyList<ConnectionEventDto> Events, int Total);

/// <summary>A device's connection history, newest first, within the caller's scope.</summary>
public sealed class ConnectionHistoryService(ScopedContexts contexts)
{
    public const int DefaultListLimit = 50;
    public const int MaxListLimit = 500;

    public async Task<IReadOnlyList<ConnectionEventDto>?> ListAsync(Guid deviceId, int limit, CancellationToken ct) =>
        (await PageAsync(deviceId, 0, limit, ct))?.Events;

    /// <summary>
    /// One page of the history, newest first, with how many events there are in all (a device's history is short enough
    /// for an offset, unlike the messages); null when the device is not in the caller's scope.
    /// </summary>
    public async Task<ConnectionEventPage?> PageAsync(Guid deviceId, int skip, int take, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Devices), ct);
        await using var _db = db;
        if (!await db.Devices.AnyAsync(d => d.Id == deviceId, ct))
        {
            return null;
        }

        var events = db.ConnectionEvents.AsNoTracking().Where(e => e.DeviceId == deviceId);
        var page = await events.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, MaxListLimit))
            .Select(e => new ConnectionEventDto(e.At, e.Connected, e.BrokerId, e.ClientId, e.RemoteAddress, e.Protocol, e.Reason))
            .ToListAsync(ct);
        return new ConnectionEventPage(page, await events.CountAsync(ct));
    }
}
