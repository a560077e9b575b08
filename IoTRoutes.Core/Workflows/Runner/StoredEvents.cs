using System.Text.Json.Nodes;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>
/// Something stored that starts runs: a message or a connection event, in id order, with its device (null when gone).
/// <see cref="Runnable"/> is false for what is read but not run (a rejected message): the position still passes it.
/// </summary>
internal abstract record StoredEvent(Guid Id, Guid DeviceId, TriggerKind Kind, ExchangeType? Exchange, bool Runnable, RunDevice? Device)
{
    /// <summary>The item a run gets, made when the run comes (a batch's items made at once all outlived the round's collections).</summary>
    public abstract WorkflowItem MakeItem();
}

internal sealed record StoredMessageEvent(StoredMessageItem Message)
    : StoredEvent(Message.Id, Message.DeviceId, TriggerKind.Message, Message.ExchangeType, Message.State == MessageState.Processed, Message.Device)
{
    public override WorkflowItem MakeItem() => Message.MakeItem();
}

/// <summary>A connection event: its item is small and made with it.</summary>
internal sealed record StoredConnectionEvent(Guid Id, Guid DeviceId, bool Connected, RunDevice? Device, WorkflowItem Item)
    : StoredEvent(Id, DeviceId, Connected ? TriggerKind.DeviceConnected : TriggerKind.DeviceDisconnected, null, true, Device)
{
    public override WorkflowItem MakeItem() => Item;
}

/// <summary>Where a trigger's events are read: stored messages (OnMessage) or connection events (OnDevice*).</summary>
internal interface IStoredEvents
{
    /// <summary>Every event this process stores below it is stored already.</summary>
    Guid Watermark(DateTimeOffset now);

    Task<IReadOnlyList<StoredEvent>> ReadAsync(AppDbContext db, Guid after, Guid below, int take, CancellationToken ct);

    /// <summary>How many events wait between the two, counted up to <paramref name="max"/>.</summary>
    Task<int> CountAsync(AppDbContext db, Guid after, Guid below, int max, CancellationToken ct);
}

/// <summary>
/// Stored messages: from the intake's committed messages in memory when <see cref="FromMemory"/> is on and they hold the
/// range (they do while the runner keeps up), else from the database.
/// </summary>
internal sealed class StoredMessages(MessageIntake intake) : IStoredEvents
{
    /// <summary>Only while this node is the only one storing messages: the memory holds this process's messages alone.</summary>
    public bool FromMemory { get; set; }

    public Guid Watermark(DateTimeOffset now) => intake.Watermark(now);

    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(AppDbContext db, Guid after, Guid below, int take, CancellationToken ct)
    {
        var messages = FromMemory && intake.Committed.TryRead(after, below, take, out var committed)
            ? await StoredMessageItems.FromCommittedAsync(db, committed, ct)
            : await StoredMessageItems.ReadAsync(db, db.Messages.IgnoreQueryFilters().Where(m => m.Id > after && m.Id < below).OrderBy(m => m.Id).Take(take), ct);
        return [.. messages.Select(m => new StoredMessageEvent(m))];
    }

    public Task<int> CountAsync(AppDbContext db, Guid after, Guid below, int max, CancellationToken ct) =>
        db.Messages.IgnoreQueryFilters().Where(m => m.Id > after && m.Id < below).OrderBy(m => m.Id).Take(max).CountAsync(ct);
}

/// <summary>
/// Connection events as items: <c>connected</c> (true or false), <c>clientId</c>, <c>remoteAddress</c>, <c>protocol</c>,
/// <c>reason</c> (for a disconnection), <c>brokerId</c>, <c>at</c>.
/// </summary>
internal sealed class StoredConnectionEvents(ConnectionEventIds ids) : IStoredEvents
{
    public Guid Watermark(DateTimeOffset now) => ids.Watermark(now);

    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(AppDbContext db, Guid after, Guid below, int take, CancellationToken ct)
    {
        var rows = await db.ConnectionEvents.IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.Id > after && e.Id < below).OrderBy(e => e.Id).Take(take).ToListAsync(ct);
        var devices = rows.Count == 0 ? [] : await RunDevices.LoadAsync(db, [.. rows.Select(e => e.DeviceId).Distinct()], ct);
        return rows.ConvertAll(e =>
        {
            var device = devices.GetValueOrDefault(e.DeviceId);
            return (StoredEvent)new StoredConnectionEvent(e.Id, e.DeviceId, e.Connected, device,
                WorkflowItem.FromJson(Fields(e), device?.Context, null, e.Connected ? "connected" : "disconnected"));
        });
    }

    public Task<int> CountAsync(AppDbContext db, Guid after, Guid below, int max, CancellationToken ct) =>
        db.ConnectionEvents.IgnoreQueryFilters().Where(e => e.Id > after && e.Id < below).OrderBy(e => e.Id).Take(max).CountAsync(ct);

    private static JsonObject Fields(DeviceConnectionEvent e) => new()
    {
        ["connected"] = e.Connected, ["clientId"] = e.ClientId, ["remoteAddress"] = e.RemoteAddress, ["protocol"] = e.Protocol,
        ["reason"] = e.Reason, ["brokerId"] = e.BrokerId.ToString(), ["at"] = e.At.ToString("O"),
    };
}
