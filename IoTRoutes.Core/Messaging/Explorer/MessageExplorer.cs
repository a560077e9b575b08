using System.Runtime.CompilerServices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging.Explorer;

/// <summary>
/// Finds stored messages by <see cref="MessageFilter"/>, newest first, within the caller's part of the entity tree; pages
/// by keyset on the time-ordered id (<see cref="MessageIds"/>), never by skipping rows. What SQL cannot say on every
/// provider (the rest of a topic filter after its first wildcard, a decoded field condition) is matched here, over at
/// most <see cref="MaxScanned"/> rows a page: a page may then hold fewer than asked, and its cursor goes on from the
/// last row looked at.
/// </summary>
public sealed class MessageExplorer(ScopedContexts contexts, MessageIntake intake)
{
    public const int ScanBatch = 500;
    public const int MaxScanned = 10_000;

    /// <summary>Ids carry their receive time, or up to a second later (<see cref="MessageIdGenerator"/> carries bursts over).</summary>
    private static readonly TimeSpan IdDrift = TimeSpan.FromSeconds(2);

    public async Task<(MessagePage? Page, IReadOnlyDictionary<string, string[]>? Errors)> PageAsync(MessageExplorerQuery query, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Messages), ct);
        await using var _db = db;
        var (matching, errors) = await MatchingAsync(db, query.Filter, ct);
        if (matching is null)
        {
            return (null, errors);
        }

        var upper = query.Cursor ?? UpperBound(db);
        var scan = await ScanAsync(db, matching, query.Filter, upper, query.Limit + 1, MaxScanned, ct);
        var ids = scan.Matched.Take(query.Limit).ToList();
        var items = await LoadAsync(db, ids, [], ct);
        // One match more than asked says there is a next page; a scan that stopped at its bound says there may be.
        Guid? next = scan.Matched.Count > query.Limit ? ids[^1] : scan.Exhausted ? null : scan.LastScanned;
        return (new MessagePage(items, next is { } n ? ExplorerCursor.Encode(n) : null), null);
    }

    /// <summary>
    /// Every matching message, newest first, read in chunks as the caller consumes them (an export never holds the range in
    /// memory); needs Messages.Export. Null with errors when the filter names an entity the caller cannot see.
    /// </summary>
    public async Task<(IAsyncEnumerable<MessageDto>? Messages, Caller? Caller, IReadOnlyDictionary<string, string[]>? Errors)> StreamAsync(
        MessageFilter filter, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Of(SecuredActions.MessagesExport), ct);
        await using (db)
        {
            var (matching, errors) = await MatchingAsync(db, filter, ct);
            if (matching is null)
            {
                return (null, null, errors);
            }

            // The reading opens its own context when enumerated: one never enumerated (an export that failed to start)
            // holds no connection.
            return (ReadAllAsync(filter, UpperBound(db), ct), caller, null);
        }
    }

    private async IAsyncEnumerable<MessageDto> ReadAllAsync(MessageFilter filter, Guid? upper, [EnumeratorCancellation] CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.Of(SecuredActions.MessagesExport), ct);
        await using var _db = db;
        var (matching, _) = await MatchingAsync(db, filter, ct);
        if (matching is null)
        {
            yield break; // the entity was deleted or moved away since the export started
        }

        var units = new Dictionary<(Guid, int), Formats.CompiledFormat>();
        while (true)
        {
            var scan = await ScanAsync(db, matching, filter, upper, ScanBatch, int.MaxValue, ct);
            foreach (var item in await LoadAsync(db, scan.Matched, units, ct))
            {
                yield return item;
            }

            if (scan.Exhausted || scan.LastScanned is null)
            {
                yield break;
            }

            upper = scan.LastScanned;
        }
    }

    /// <summary>
    /// The first page ends below the lowest id still being written: paging on from there then never passes a message that
    /// commits later (a gap); newer ones appear on the next first page. On SQL Server ids do not compare in time order,
    /// so there it is not bounded.
    /// </summary>
    private Guid? UpperBound(AppDbContext db) => db is SqlServerAppDbContext ? null : intake.LowestInFlight();

    /// <summary>The caller's messages that the SQL part of the filter keeps; errors when the filter's entity is not the caller's.</summary>
    private static async Task<(IQueryable<Message>? Matching, IReadOnlyDictionary<string, string[]>? Errors)> MatchingAsync(
        AppDbContext db, MessageFilter filter, CancellationToken ct)
    {
        var messages = db.Messages.AsNoTracking();
        if (filter.DeviceId is { } deviceId)
        {
            messages = messages.Where(m => m.DeviceId == deviceId);
        }

        if (filter.EntityId is { } entityId)
        {
            // The entities' query filter holds the caller's scope: another branch's entity is not found.
            var path = await db.Entities.Where(e => e.Id == entityId).Select(e => e.Path).FirstOrDefaultAsync(ct);
            if (path is null)
            {
                return (null, new Dictionary<string, string[]> { ["entityId"] = ["No entity with this id in your part of the entity tree."] });
            }

            messages = messages.Where(m => db.Devices.Any(d => d.Id == m.DeviceId && d.Entity!.Path.StartsWith(path)));
        }

        if (filter.ProfileId is { } profileId)
        {
            messages = messages.Where(m => db.Devices.Any(d => d.Id == m.DeviceId && d.ProfileId == profileId));
        }

        if (filter.Topic is { } topic)
        {
            // Device topics are devices/<key>/... and only that device's messages are stored under them (DeviceTopics; the
            // bridge and media intake keep the rule): a filter within one device's topics is that device's messages, which
            // its index finds instead of a scan for the topic's rows among everyone's.
            if (topic.DeviceKey is { } key)
            {
                var owner = await db.Devices.Where(d => d.Key == key).Select(d => (Guid?)d.Id).FirstOrDefaultAsync(ct) ?? Guid.Empty;
                messages = messages.Where(m => m.DeviceId == owner);
            }

            var prefix = topic.Prefix;
            if (!topic.HasWildcards)
            {
                messages = messages.Where(m => m.Topic == prefix);
            }
            else if (topic.Parent is { } parent)
            {
                messages = messages.Where(m => m.Topic == parent || m.Topic.StartsWith(prefix));
            }
            else if (prefix.Length > 0)
            {
                messages = messages.Where(m => m.Topic.StartsWith(prefix));
            }
        }

        if (filter.State is { } state)
        {
            messages = messages.Where(m => m.State == state);
        }

        if (filter.Reason is { } reasonText)
        {
            // Upper on both sides: translated on every provider (SQLite's upper() folds ASCII only, like its LIKE).
            var reason = reasonText.ToUpperInvariant();
            messages = messages.Where(m => m.RejectionReason != null && m.RejectionReason.ToUpper().Contains(reason));
        }

        if (filter.Field is { } field)
        {
            // A plain-JSON message's fields are in its payload (PlainJsonFields), which SQL cannot search: those rows are
            // all candidates, and the scan reads their payloads.
            const int maxPlain = Formats.PlainJsonFields.MaxPayload;
            messages = field.StoredKey is { } key
                ? messages.Where(m => (m.Data != null && m.Data.Contains(key)) || (m.NormalizedData != null && m.NormalizedData.Contains(key))
                                      || (m.Data == null && m.FormatId == null && m.State == MessageState.Processed && m.PayloadSize <= maxPlain))
                : messages.Where(m => m.Data != null || (m.FormatId == null && m.State == MessageState.Processed && m.PayloadSize <= maxPlain));
        }

        var timeOrderedIds = db is not SqlServerAppDbContext;
        // Stored times are UTC. The id bounds let the primary key find the range; the time bounds keep it exact.
        if (filter.From?.ToUniversalTime() is { } from)
        {
            messages = messages.Where(m => m.ReceivedAt >= from);
            if (timeOrderedIds)
            {
                var lowest = MessageIds.Floor(from);
                messages = messages.Where(m => m.Id >= lowest);
            }
        }

        if (filter.To?.ToUniversalTime() is { } to)
        {
            messages = messages.Where(m => m.ReceivedAt <= to);
            if (timeOrderedIds)
            {
                var above = MessageIds.Floor(to + IdDrift);
                messages = messages.Where(m => m.Id < above);
            }
        }

        return (messages, null);
    }

    /// <param name="PlainPayload">The payload of a plain-JSON message (its fields), else null.</param>
    private sealed record Candidate(Guid Id, string Topic, string? Data, string? NormalizedData, byte[]? PlainPayload);

    /// <param name="Matched">The matching ids, in the database's order of ids (newest first).</param>
    /// <param name="LastScanned">The last id looked at: the next scan goes on below it.</param>
    /// <param name="Exhausted">No row is left below <paramref name="LastScanned"/>.</param>
    private sealed record ScanResult(List<Guid> Matched, Guid? LastScanned, bool Exhausted);

    private static async Task<ScanResult> ScanAsync(
        AppDbContext db, IQueryable<Message> matching, MessageFilter filter, Guid? below, int wanted, int maxScanned, CancellationToken ct)
    {
        var topic = filter.Topic is { HasWildcards: true } t ? t : null;
        if (topic is null && filter.Field is null)
        {
            var ids = await Below(matching, below).OrderByDescending(m => m.Id).Take(wanted).Select(m => m.Id).ToListAsync(ct);
            return new ScanResult(ids, ids.Count > 0 ? ids[^1] : below, ids.Count < wanted);
        }

        var matched = new List<Guid>();
        var scanned = 0;
        var readsPlain = filter.Field is not null;
        while (true)
        {
            var rows = await Below(matching, below).OrderByDescending(m => m.Id).Take(ScanBatch)
                .Select(m => new Candidate(m.Id, m.Topic, m.Data, m.NormalizedData,
                    readsPlain && m.Data == null && m.FormatId == null && m.State == MessageState.Processed
                                         && m.PayloadSize <= Formats.PlainJsonFields.MaxPayload ? m.Payload : null))
                .ToListAsync(ct);
            foreach (var row in rows)
            {
                below = row.Id;
                scanned++;
                if ((topic is null || topic.Matches(row.Topic)) && (filter.Field is null || filter.Field.Matches(FieldsOf(row))))
                {
                    matched.Add(row.Id);
                    if (matched.Count == wanted)
                    {
                        return new ScanResult(matched, below, false);
                    }
                }
            }

            if (rows.Count < ScanBatch)
            {
                return new ScanResult(matched, below, true);
            }

            if (scanned >= maxScanned)
            {
                return new ScanResult(matched, below, false);
            }
        }
    }

    private static IQueryable<Message> Below(IQueryable<Message> messages, Guid? below) =>
        below is { } id ? messages.Where(m => m.Id < id) : messages;

    private static IReadOnlyList<Formats.FieldDto> FieldsOf(Candidate row)
    {
        try
        {
            var data = Formats.PlainJsonFields.ObjectOf(row.Data, row.PlainPayload);
            var normalized = row.NormalizedData is null ? null : System.Text.Json.Nodes.JsonNode.Parse(row.NormalizedData);
            return data is null && normalized is null ? [] : Formats.FormatFields.Of(data, normalized, _ => null);
        }
        catch (System.Text.Json.JsonException)
        {
            return []; // not written by a decoder; it has no fields to match
        }
    }

    /// <summary>The messages of <paramref name="ids"/> as pages show them, in the order of <paramref name="ids"/>.</summary>
    private static async Task<List<MessageDto>> LoadAsync(
        AppDbContext db, List<Guid> ids, Dictionary<(Guid, int), Formats.CompiledFormat> units, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var rows = await db.Messages.AsNoTracking().Where(m => ids.Contains(m.Id))
            .Join(db.Devices, m => m.DeviceId, d => d.Id, (m, d) => new { Message = m, d.Key, d.Name })
            .ToDictionaryAsync(r => r.Message.Id, ct);
        var missing = rows.Values.Select(r => r.Message)
            .Where(m => m.FormatId is { } f && m.FormatVersion is { } v && !units.ContainsKey((f, v))).ToList();
        if (missing.Count > 0)
        {
            foreach (var (key, format) in await MessageQueryService.UnitsAsync(db, missing, ct))
            {
                units[key] = format;
            }
        }

        // A message deleted (its device gone, purged) between the scan and this read is left out.
        return [.. ids.Where(rows.ContainsKey).Select(id => MessageQueryService.ToDto(rows[id].Message, rows[id].Key, rows[id].Name, units))];
    }
}
