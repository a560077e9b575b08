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

        var units = await UnitsAsync(db, rows.Select(r => r.Message), ct);

        // The join may reorder on some providers; the order is re-applied in memory.
        return rows
            .OrderByDescending(r => r.Message.ReceivedAt).ThenByDescending(r => r.Message.Id)
            .Select(r => ToDto(r.Message, r.Key, r.Name, units))
            .ToList();
    }

    /// <summary>One message with its raw payload and its format's name; null when it is not in the caller's scope.</summary>
    public async Task<MessageDetailDto?> FindAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Messages), ct);
        await using var _db = db;
        var row = await db.Messages.AsNoTracking().Where(m => m.Id == id)
            .Join(db.Devices, m => m.DeviceId, d => d.Id, (m, d) => new { Message = m, d.Key, d.Name })
            .FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }

        var units = await UnitsAsync(db, [row.Message], ct);
        // A format shared from an entity above the caller's is not theirs to read, but its name is what decoded the message.
        var formatName = row.Message.FormatId is { } formatId
            ? await db.Formats.IgnoreQueryFilters().Where(f => f.Id == formatId).Select(f => f.Name).FirstOrDefaultAsync(ct)
            : null;
        return new MessageDetailDto(ToDto(row.Message, row.Key, row.Name, units), row.Message.Payload, formatName);
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

    /// <summary>The latest value of each field of the device, by name; null when the device is not in the caller's scope.</summary>
    public async Task<IReadOnlyList<LatestFieldDto>?> LatestFieldsAsync(Guid deviceId, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Messages), ct);
        await using var _db = db;
        if (!await db.Devices.AnyAsync(d => d.Id == deviceId, ct))
        {
            return null;
        }

        var rows = await db.FieldValues.AsNoTracking().Where(v => v.DeviceId == deviceId).OrderBy(v => v.Name).ToListAsync(ct);
        var latest = rows.ConvertAll(v => new LatestFieldDto(v.Name, System.Text.Json.Nodes.JsonNode.Parse(v.Value), v.Unit, v.At, v.MessageId));
        latest.AddRange(await PlainLatestAsync(db, deviceId, latest.Select(f => f.Name).ToHashSet(StringComparer.Ordinal), ct));
        return latest.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>How many of a device's newest plain-JSON messages are read for their latest values.</summary>
    public const int PlainLatestWindow = 50;

    /// <summary>
    /// The latest values a device without a profile sent: the intake stores no decoded fields for it (PlainJsonFields), so
    /// they are read from its newest plain-JSON messages, each field from the newest one that has it.
    /// </summary>
    private static async Task<List<LatestFieldDto>> PlainLatestAsync(Storage.AppDbContext db, Guid deviceId, HashSet<string> known, CancellationToken ct)
    {
        const int maxPayload = Formats.PlainJsonFields.MaxPayload;
        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.DeviceId == deviceId && m.State == MessageState.Processed && m.FormatId == null && m.Data == null && m.PayloadSize <= maxPayload)
            .OrderByDescending(m => m.ReceivedAt).ThenByDescending(m => m.Id).Take(PlainLatestWindow)
            .Select(m => new { m.Id, m.Payload, m.DeviceTime, m.ReceivedAt })
            .ToListAsync(ct);
        var found = new List<LatestFieldDto>();
        foreach (var message in messages)
        {
            foreach (var field in Formats.FormatFields.Of(Formats.PlainJsonFields.ObjectOf(null, message.Payload), _ => null))
            {
                if (known.Add(field.Name))
                {
                    found.Add(new LatestFieldDto(field.Name, field.Value, null, message.DeviceTime ?? message.ReceivedAt, message.Id));
                }
            }
        }

        return found;
    }

    /// <summary>The units of the format versions that decoded these messages, each compiled once.</summary>
    internal static async Task<Dictionary<(Guid, int), Formats.CompiledFormat>> UnitsAsync(Storage.AppDbContext db, IEnumerable<Message> messages, CancellationToken ct)
    {
        var wanted = messages.Where(m => m.Data is not null && m.FormatId is not null).Select(m => (m.FormatId!.Value, m.FormatVersion!.Value)).Distinct().ToList();
        var ids = wanted.Select(w => w.Item1).Distinct().ToList();
        var versions = ids.Count == 0 ? [] : await db.FormatVersions.Where(v => ids.Contains(v.FormatId)).ToListAsync(ct);
        var compiled = new Dictionary<(Guid, int), Formats.CompiledFormat>();
        foreach (var v in versions.Where(v => wanted.Contains((v.FormatId, v.Version))))
        {
            var definition = System.Text.Json.JsonSerializer.Deserialize<Formats.FormatDefinition>(v.Definition, Formats.FormatCompiler.SettingsJson);
            if (definition?.Kind is { } kind && Formats.FormatCompiler.Compile(kind, definition.Settings ?? []).Format is { } format)
            {
                compiled[(v.FormatId, v.Version)] = format;
            }
        }

        return compiled;
    }

    internal static MessageDto ToDto(Message m, string key, string name, IReadOnlyDictionary<(Guid, int), Formats.CompiledFormat> formats)
    {
        var data = m.Data is null ? null : System.Text.Json.Nodes.JsonNode.Parse(m.Data) as System.Text.Json.Nodes.JsonObject;
        var normalized = m.NormalizedData is null ? null : System.Text.Json.Nodes.JsonNode.Parse(m.NormalizedData);
        var format = m.FormatId is { } id && m.FormatVersion is { } version ? formats.GetValueOrDefault((id, version)) : null;
        var fields = data is not null ? Formats.FormatFields.Of(data, normalized, f => format?.UnitOf(f))
            : Formats.PlainJsonFields.Applies(m.State, m.FormatId, m.Data, m.PayloadSize) && Formats.PlainJsonFields.ObjectOf(null, m.Payload) is { } plain
                ? Formats.FormatFields.Of(plain, _ => null)
                : null;
        return new(m.Id, m.DeviceId, key, name, m.Topic, Encoding.UTF8.GetString(m.Payload), m.PayloadSize, m.QualityOfService,
            m.ReceivedAt, m.State, m.RejectionReason, m.ProcessedAt, data, fields, m.DeviceTime, m.FormatId, m.FormatVersion, m.Warnings,
            normalized, m.RejectionDetails);
    }
}
