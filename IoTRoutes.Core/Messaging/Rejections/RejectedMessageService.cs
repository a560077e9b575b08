using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging.Rejections;

/// <summary>Lists and summarises the rejected messages within the caller's part of the entity tree; needs Messages View.</summary>
public sealed class RejectedMessageService(ScopedContexts contexts)
{
    public const int TopReasons = 5;

    /// <summary>How many distinct reasons the summary folds into causes (the most frequent).</summary>
    public const int MaxDistinctReasons = 1000;

    /// <summary>How many devices the summary names at most (the most rejected first).</summary>
    public const int MaxDevices = 100;

    public async Task<RejectedMessagePage> ListAsync(RejectedMessageQuery query, CancellationToken ct)
    {
        if (query.Validate() is not null)
        {
            throw new ArgumentException("Invalid rejected message query; call Validate() first.", nameof(query));
        }

        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Messages), ct);
        await using var _db = db;
        var messages = Rejected(db, query.Filter);
        if (query.Cursor is { } cursor)
        {
            messages = messages.Where(m => m.Id < cursor);
        }

        // One more than asked says whether there is a next page.
        var rows = await messages
            .OrderByDescending(m => m.Id)
            .Take(query.Limit + 1)
            .Join(db.Devices, m => m.DeviceId, d => d.Id, (m, d) => new
            {
                m.Id, m.DeviceId, DeviceName = d.Name, m.Topic, m.ReceivedAt, m.RejectionReason, m.RejectionDetails, m.FormatId, m.FormatVersion,
                m.Payload, m.PayloadSize,
            })
            // Ordered again in the database, after the join: the cursor is the last row in the database's own order of
            // ids, which on SQL Server is not .NET's (uniqueidentifier compares its last bytes first).
            .OrderByDescending(r => r.Id)
            .ToListAsync(ct);

        var page = rows.Take(query.Limit).ToList();
        var names = await FormatNamesAsync(db, page.Select(r => r.FormatId), ct);
        var items = page.ConvertAll(r =>
        {
            var (preview, kind) = PayloadPreview.Of(r.Payload, r.PayloadSize);
            return new RejectedMessageDto(r.Id, r.DeviceId, r.DeviceName, r.Topic, r.ReceivedAt, r.RejectionReason, r.FormatId,
                r.FormatId is { } id ? names.GetValueOrDefault(id) : null, r.FormatVersion, preview, kind, r.PayloadSize, r.RejectionDetails);
        });
        return new RejectedMessagePage(items, rows.Count > query.Limit ? page[^1].Id : null);
    }

    public async Task<RejectionSummary> SummarizeAsync(RejectedMessageFilter filter, CancellationToken ct)
    {
        if (filter.Validate() is not null)
        {
            throw new ArgumentException("Invalid rejected message filter; call Validate() first.", nameof(filter));
        }

        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Messages), ct);
        await using var _db = db;
        var matching = Rejected(db, filter);
        var total = await matching.LongCountAsync(ct);
        // The database counts each distinct reason; those of one cause are added up here. Past MaxDistinctReasons (the
        // rarest), counts are lower bounds.
        var distinct = await matching
            .GroupBy(m => m.RejectionReason)
            .Select(g => new { Reason = g.Key ?? "", Count = g.LongCount() })
            .OrderByDescending(g => g.Count).Take(MaxDistinctReasons)
            .ToListAsync(ct);
        var reasons = distinct
            .GroupBy(r => RejectionCauses.CauseOf(r.Reason))
            .Select(cause =>
            {
                var wording = cause.OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal).First().Reason;
                return new ReasonCount(wording, cause.Sum(r => r.Count), RejectionCauses.MatchOf(wording));
            })
            .OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal).Take(TopReasons)
            .ToList();

        var formatCounts = await Rejected(db, filter with { FormatId = null })
            .Where(m => m.FormatId != null)
            .GroupBy(m => m.FormatId!.Value)
            .Select(g => new { FormatId = g.Key, Count = g.LongCount() })
            .ToListAsync(ct);
        var names = await FormatNamesAsync(db, formatCounts.Select(f => (Guid?)f.FormatId), ct);

        var deviceCounts = await Rejected(db, filter with { DeviceId = null })
            .GroupBy(m => m.DeviceId)
            .Select(g => new { DeviceId = g.Key, Count = g.LongCount() })
            .OrderByDescending(g => g.Count).Take(MaxDevices)
            .ToListAsync(ct);
        var deviceIds = deviceCounts.Select(d => d.DeviceId).ToList();
        var deviceNames = await db.Devices.Where(d => deviceIds.Contains(d.Id)).Select(d => new { d.Id, d.Name }).ToDictionaryAsync(d => d.Id, d => d.Name, ct);

        return new RejectionSummary(
            total,
            reasons,
            [.. formatCounts.Select(f => new FormatCount(f.FormatId, names.GetValueOrDefault(f.FormatId) ?? "(deleted format)", f.Count))
                .OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase)],
            [.. deviceCounts.Where(d => deviceNames.ContainsKey(d.DeviceId)).Select(d => new DeviceCount(d.DeviceId, deviceNames[d.DeviceId], d.Count))
                .OrderBy(d => d.Name, StringComparer.OrdinalIgnoreCase)]);
    }

    /// <summary>The caller's rejected messages that match; the index on rejected messages serves it (migration RejectedMessagesIndex).</summary>
    private static IQueryable<Message> Rejected(AppDbContext db, RejectedMessageFilter filter) =>
        filter.Apply(db.Messages.AsNoTracking().Where(m => m.State == MessageState.Rejected));

    /// <summary>
    /// The names of the formats that rejected the caller's messages. A format may belong to an entity above the caller's
    /// (a platform format serving a branch through its profile): its name is shown, as on the profile, since it already
    /// names itself in the rejection reason.
    /// </summary>
    private static async Task<Dictionary<Guid, string>> FormatNamesAsync(AppDbContext db, IEnumerable<Guid?> formatIds, CancellationToken ct)
    {
        var ids = formatIds.OfType<Guid>().Distinct().ToList();
        return ids.Count == 0
            ? []
            : await db.Formats.IgnoreQueryFilters().Where(f => ids.Contains(f.Id)).Select(f => new { f.Id, f.Name }).ToDictionaryAsync(f => f.Id, f => f.Name, ct);
    }
}
