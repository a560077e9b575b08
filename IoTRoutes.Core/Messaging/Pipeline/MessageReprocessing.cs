using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Rejections;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>
/// Which messages to decode again: the given ids (in any state; filter fields given as well narrow them), or else the
/// rejected messages that match the filter (device, format, reason, time range). Oldest first, at most <see cref="Limit"/> of them (default and ceiling
/// <see cref="MessageReprocessing.MaxMessages"/>); <see cref="After"/> goes on after the last one a previous request took.
/// </summary>
public sealed record ReprocessRequest(
    List<Guid>? MessageIds = null, Guid? DeviceId = null, DateTimeOffset? From = null, DateTimeOffset? To = null,
    Guid? FormatId = null, string? Reason = null, Guid? After = null, int? Limit = null)
{
    /// <summary>The rejected messages that match <paramref name="filter"/>.</summary>
    public static ReprocessRequest Matching(RejectedMessageFilter filter, Guid? after = null) =>
        new(null, filter.DeviceId, filter.From, filter.To, filter.FormatId, filter.Reason, after);

    public RejectedMessageFilter ToFilter() => new(DeviceId, FormatId, Reason, From, To);
}

/// <summary>
/// What a request did: <see cref="Reprocessed"/> messages decoded again, of which <see cref="Processed"/> now decode and
/// <see cref="Rejected"/> still fail. <see cref="Remaining"/> more match beyond the request's bound: pass
/// <see cref="ContinueAfter"/> as <c>after</c> to go on with them.
/// </summary>
public sealed record ReprocessResult(int Reprocessed, int Processed, int Rejected, int Remaining = 0, Guid? ContinueAfter = null);

/// <summary>How far a request has got, reported after each committed chunk.</summary>
public sealed record ReprocessProgress(int Done, int Total, int Processed, int Rejected);

/// <summary>
/// Decodes stored messages again with their device's current profile (after a format was fixed): state, data, format
/// and version change in place, nothing is duplicated, and the counts follow (the Messages triggers). Works in chunks,
/// each committed and announced on the <see cref="MessageFeed"/>, so counts move while a long request runs and a
/// cancelled one keeps what it finished.
/// </summary>
public sealed class MessageReprocessing(ScopedContexts contexts, MessageDecoder decoder, Formats.LatestFieldValues latest, MessageFeed feed,
    TimeProvider clock, Security.Audit.AuditTrail audit, ILogger<MessageReprocessing> logger)
{
    public const int MaxMessages = 10_000;
    public const int ChunkSize = 500;

    public Task<(ReprocessResult? Result, IReadOnlyDictionary<string, string[]>? Errors)> ReprocessAsync(ReprocessRequest request, CancellationToken ct) =>
        ReprocessAsync(request, null, ct);

    public async Task<(ReprocessResult? Result, IReadOnlyDictionary<string, string[]>? Errors)> ReprocessAsync(
        ReprocessRequest request, IProgress<ReprocessProgress>? progress, CancellationToken ct)
    {
        if (Validate(request) is { } errors)
        {
            return (null, errors);
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Messages), ct);
        await using var _db = db;
        var selected = Select(db, request);
        var limit = request.Limit ?? MaxMessages;
        var total = Math.Min(await selected.CountAsync(ct), limit);
        var (done, processed, rejected, after) = (0, 0, 0, request.After);
        while (done < limit)
        {
            var take = Math.Min(ChunkSize, limit - done);
            var chunk = await (after is { } a ? selected.Where(m => m.Id > a) : selected).OrderBy(m => m.Id).Take(take).ToListAsync(ct);
            if (chunk.Count == 0)
            {
                break;
            }

            Decode(chunk);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            latest.Committed(chunk);
            feed.Publish(new MessagesChanged(chunk.Select(m => m.DeviceId).ToHashSet()));

            (done, after) = (done + chunk.Count, chunk[^1].Id);
            processed += chunk.Count(m => m.State == MessageState.Processed);
            rejected += chunk.Count(m => m.State == MessageState.Rejected);
            progress?.Report(new ReprocessProgress(done, Math.Max(total, done), processed, rejected));
            if (chunk.Count < take)
            {
                break;
            }
        }

        var remaining = done == limit && after is { } last ? await selected.CountAsync(m => m.Id > last, ct) : 0;
        await audit.RecordAsync(Security.Audit.AuditActions.MessagesReprocessed, caller, Describe(request),
            $"{done} reprocessed: {processed} processed, {rejected} rejected{(remaining > 0 ? $", {remaining} remaining" : "")}", CancellationToken.None);
        return (new ReprocessResult(done, processed, rejected, remaining, remaining > 0 ? after : null), null);
    }

    private static string Describe(ReprocessRequest r) => r.MessageIds is { Count: > 0 } ids
        ? $"{ids.Count} message(s) by id"
        : string.Join(", ", new[] { ("device", r.DeviceId?.ToString()), ("format", r.FormatId?.ToString()), ("reason", r.Reason),
            ("from", r.From?.ToString("O")), ("to", r.To?.ToString("O")) }.Where(x => x.Item2 is not null).Select(x => $"{x.Item1} {x.Item2}").Prepend("rejected"));

    private static Dictionary<string, string[]>? Validate(ReprocessRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = request.ToFilter();
        if (request.MessageIds is { Count: > MaxMessages } || (request.MessageIds is not { Count: > 0 } && filter.IsEmpty))
        {
            errors["messageIds"] =
                [$"Give 1 to {MaxMessages:N0} message ids, or a filter of the rejected messages (deviceId, formatId, reason, from, to)."];
        }

        if (request.Limit is < 1 or > MaxMessages)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxMessages}."];
        }

        filter.Check(errors);
        return errors.Count == 0 ? null : errors;
    }

    private static IQueryable<Message> Select(Storage.AppDbContext db, ReprocessRequest request)
    {
        var messages = db.Messages.Where(m => m.PayloadSize == m.Payload.Length); // a refused oversize payload has nothing to decode
        messages = request.MessageIds is { Count: > 0 } ids
            ? messages.Where(m => ids.Contains(m.Id))
            : messages.Where(m => m.State == MessageState.Rejected);
        return request.ToFilter().Apply(messages);
    }

    private void Decode(List<Message> messages)
    {
        var now = clock.GetUtcNow();
        foreach (var message in messages)
        {
            (message.Data, message.DeviceTime, message.FormatId, message.FormatVersion, message.Warnings, message.RejectionReason) = (null, null, null, null, null, null);
            message.RejectionDetails = null;
            message.State = MessageState.Received;
            decoder.Decide(message, now, logger);
        }
    }
}
