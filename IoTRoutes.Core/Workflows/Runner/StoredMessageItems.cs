using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>
/// A stored message as the runner takes it: its state, its device (null when the device is gone), what its workflow item
/// is made of and the exchange type its trigger matches.
/// </summary>
/// <remarks>
/// The item is made when its run comes (<see cref="MakeItem"/>) rather than when the batch is read: a batch's items,
/// all made at once, lived until its round ended, long enough for a collection to promote thousands of them
/// (docs/benchmarks.md, issue 15's fifth session).
/// </remarks>
public sealed record StoredMessageItem(
    Guid Id, Guid DeviceId, MessageState State, string Topic, DateTimeOffset ReceivedAt, DateTimeOffset? DeviceTime, string? Data, byte[] Payload,
    RunDevice? Device, ExchangeType ExchangeType)
{
    /// <summary>What an OnMessage trigger matches; null when the device is gone.</summary>
    public TriggerEvent? Event => Device is { Context: var d } ? new TriggerEvent(TriggerKind.Message, d.Id, d.EntityId, d.ProfileId, ExchangeType) : null;

    /// <summary>The item a run of this message gets: a new one on each call.</summary>
    public WorkflowItem MakeItem() => MessageItems.From(Id, Topic, ReceivedAt, DeviceTime, Data, Payload, Device?.Context);
}

/// <summary>
/// The one way stored messages become workflow items, shared by the runner, dry runs of a stored message and message
/// traces: fields from the decoded data (or, for a device without a profile, the JSON payload's top-level fields), the
/// device with its name, key and profile, the message's id, topic and times.
/// </summary>
public static class StoredMessageItems
{
    /// <summary>
    /// The messages of <paramref name="messages"/>, in its order, one entry each. The query decides the scope (a scoped
    /// context's <c>db.Messages</c> for a user, <c>IgnoreQueryFilters()</c> for the runner); devices, profiles and formats
    /// are then read whatever the scope, as the runner reads them.
    /// </summary>
    public static async Task<IReadOnlyList<StoredMessageItem>> ReadAsync(AppDbContext db, IQueryable<Message> messages, CancellationToken ct)
    {
        var rows = await messages
            .Select(m => new Message
            {
                Id = m.Id, DeviceId = m.DeviceId, State = m.State, Topic = m.Topic, ReceivedAt = m.ReceivedAt, DeviceTime = m.DeviceTime,
                Data = m.Data, Payload = m.Payload, FormatId = m.FormatId,
            })
            .ToListAsync(ct);
        return await ItemsAsync(db, rows, at => at, ct);
    }

    /// <summary>Messages already in memory (committed by this process), as <see cref="ReadAsync"/> gives them from the store.</summary>
    public static Task<IReadOnlyList<StoredMessageItem>> FromCommittedAsync(AppDbContext db, List<Message> messages, CancellationToken ct)
    {
        // Times as the store keeps them (SQLite to 100 µs, PostgreSQL to 1 µs): the item is the one a read-back gives.
        var unit = db.Database.ProviderName switch
        {
            { } name when name.Contains("Sqlite", StringComparison.Ordinal) => TimeSpan.TicksPerMillisecond / 10,
            { } name when name.Contains("Npgsql", StringComparison.Ordinal) => TimeSpan.TicksPerMicrosecond,
            _ => 1,
        };
        return ItemsAsync(db, messages, at => new(at.Ticks - at.Ticks % unit, at.Offset), ct);
    }

    /// <remarks>
    /// From the messages themselves, with no copy of the batch between: a batch's list of copies as structs was large
    /// enough for the large object heap (docs/benchmarks.md).
    /// </remarks>
    private static async Task<IReadOnlyList<StoredMessageItem>> ItemsAsync(
        AppDbContext db, List<Message> messages, Func<DateTimeOffset, DateTimeOffset> stored, CancellationToken ct)
    {
        if (messages.Count == 0) return [];
        var devices = await RunDevices.LoadAsync(db, [.. messages.Select(m => m.DeviceId).Distinct()], ct);
        var formatIds = messages.Select(m => m.FormatId).OfType<Guid>().Distinct().ToList();
        var exchanges = formatIds.Count == 0 ? [] : await db.Formats.IgnoreQueryFilters().Where(f => formatIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.ExchangeType, ct);
        return messages.ConvertAll(m =>
        {
            var device = devices.GetValueOrDefault(m.DeviceId);
            var exchange = Media.Intake.MediaTopics.IsMedia(m.Topic) ? ExchangeType.Media
                : m.FormatId is { } format ? exchanges.GetValueOrDefault(format, ExchangeType.Telemetry) : ExchangeType.Telemetry;
            return new StoredMessageItem(m.Id, m.DeviceId, m.State, m.Topic, stored(m.ReceivedAt), m.DeviceTime is { } t ? stored(t) : null, m.Data, m.Payload, device, exchange);
        });
    }

    /// <summary>
    /// One stored message as a user reads it, through a context scoped to <paramref name="caller"/> (made for another
    /// permission, say Workflows View): reading a message also needs Messages View, and one of a device outside the
    /// caller's part of the entity tree is not found (null), as a missing one.
    /// </summary>
    /// <exception cref="PermissionDeniedException">The caller lacks Messages View.</exception>
    public static async Task<StoredMessageItem?> FindAsync(AppDbContext db, Caller caller, Guid id, CancellationToken ct)
    {
        var needed = Permission.View(SecuredObject.Messages);
        if (!caller.Permissions.Allows(needed)) throw new PermissionDeniedException(needed);
        return (await ReadAsync(db, db.Messages.AsNoTracking().Where(m => m.Id == id), ct)).SingleOrDefault();
    }
}
