using System.Text;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Telemetry;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging;

/// <summary>Reads stored messages and their counts, within the caller's part of the entity tree.</summary>
public sealed class MessageQueryService(ScopedContexts contexts)
{
    public async Task<IReadOnlyList<MessageDto>> ListAsync(MessageQuery query, CancellationToken ct)
    {
        if (query.Validate() is not null)
        {
            throw new ArgumentException("Invalid message query; call Validate() first.", nameof(query));
        }

        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Messages), ct);
        await using var _db = db;
        var messages = db.Messages.AsNoTracking();
        if (query.DeviceId is { } deviceId)
        {
            messages = messages.Where(m => m.DeviceId == deviceId);
        }

        // Stored times are UTC; a bound given with another offset is the same instant in UTC.
        if (query.From?.ToUniversalTime() is { } from)
        {
            messages = messages.Where(m => m.ReceivedAt >= from);
        }

        if (query.To?.ToUniversalTime() is { } to)
        {
            messages = messages.Where(m => m.ReceivedAt <= to);
        }

        var rows = await messages
            .OrderByDescending(m => m.ReceivedAt).ThenByDescending(m => m.Id)
            .Take(query.Limit)
            .Join(db.Devices, m => m.DeviceId, d => d.Id, (m, d) => new { Message = m, d.Key, d.Name })
            .ToListAsync(ct);

        // The join may reorder on some providers; the order is re-applied in memory.
        return rows
            .OrderByDescending(r => r.Message.ReceivedAt).ThenByDescending(r => r.Message.Id)
            .Select(r => ToDto(r.Message, r.Key, r.Name))
            .ToList();
    }

    public async Task<MessageStatsDto> StatsAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Messages), ct);
        await using var _db = db;
        // SQLite and PostgreSQL keep per-device counts with triggers; SQL Server has none yet (it cannot be tried here), so
        // there the messages are counted.
        var counts = db is Storage.SqlServerAppDbContext
            ? await db.Messages.GroupBy(m => m.State)
                .Select(g => new { State = g.Key, Count = g.LongCount() })
                .ToDictionaryAsync(x => x.State, x => x.Count, ct)
            : await db.MessageCounts.GroupBy(c => c.State)
                .Select(g => new { State = g.Key, Count = g.Sum(c => c.Count) })
                .ToDictionaryAsync(x => x.State, x => x.Count, ct);
        long Count(MessageState s) => counts.GetValueOrDefault(s);
        // "received" is every message that arrived, whatever its state now.
        return new MessageStatsDto(counts.Values.Sum(), Count(MessageState.Processed), Count(MessageState.Rejected));
    }

    /// <summary>The numeric fields of the device's latest processed messages, for a chart.</summary>
    public async Task<TelemetryChart> TelemetryAsync(Guid deviceId, int points, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Messages), ct);
        await using var _db = db;
        var latest = await db.Messages.AsNoTracking()
            .Where(m => m.DeviceId == deviceId && m.State == MessageState.Processed)
            .OrderByDescending(m => m.ReceivedAt).ThenByDescending(m => m.Id)
            .Take(Math.Clamp(points, 1, MessageQuery.MaxLimit))
            .Select(m => new { m.ReceivedAt, m.Payload })
            .ToListAsync(ct);
        latest.Reverse();
        return NumericTelemetry.Extract(latest.Select(m => (m.ReceivedAt, m.Payload)).ToList());
    }

    private static MessageDto ToDto(Message m, string key, string name) => new(
        m.Id, m.DeviceId, key, name, m.Topic, Encoding.UTF8.GetString(m.Payload), m.PayloadSize, m.QualityOfService,
        m.ReceivedAt, m.State, m.RejectionReason, m.ProcessedAt);
}
