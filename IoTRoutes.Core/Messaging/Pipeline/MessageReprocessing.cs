using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>Which messages to decode again: by id, or the rejected ones of a device (and a time range).</summary>
public sealed record ReprocessRequest(List<Guid>? MessageIds = null, Guid? DeviceId = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

public sealed record ReprocessResult(int Reprocessed, int Processed, int Rejected);

/// <summary>
/// Decodes stored messages again with their device's current profile (after a format was fixed): state, data, format
/// and version change in place, nothing is duplicated, and the counts follow (the Messages triggers).
/// </summary>
public sealed class MessageReprocessing(ScopedContexts contexts, MessageDecoder decoder, Formats.LatestFieldValues latest, MessageFeed feed,
    TimeProvider clock, ILogger<MessageReprocessing> logger)
{
    public const int MaxMessages = 10_000;

    public async Task<(ReprocessResult? Result, IReadOnlyDictionary<string, string[]>? Errors)> ReprocessAsync(ReprocessRequest request, CancellationToken ct)
    {
        if (request.MessageIds is { Count: > MaxMessages } || (request.MessageIds is not { Count: > 0 } && request.DeviceId is null))
        {
            return (null, new Dictionary<string, string[]>
            {
                ["messageIds"] = [$"Give 1 to {MaxMessages:N0} message ids, or a deviceId (its rejected messages, optionally from/to)."],
            });
        }

        var (db, _) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Messages), ct);
        await using var _db = db;
        var query = db.Messages.Where(m => m.PayloadSize == m.Payload.Length); // a refused oversize payload has nothing to decode
        query = request.MessageIds is { Count: > 0 } ids
            ? query.Where(m => ids.Contains(m.Id))
            : query.Where(m => m.DeviceId == request.DeviceId && m.State == MessageState.Rejected);
        if (request.From?.ToUniversalTime() is { } from) query = query.Where(m => m.ReceivedAt >= from);
        if (request.To?.ToUniversalTime() is { } to) query = query.Where(m => m.ReceivedAt <= to);
        var messages = await query.OrderBy(m => m.ReceivedAt).Take(MaxMessages).ToListAsync(ct);

        var now = clock.GetUtcNow();
        foreach (var message in messages)
        {
            (message.Data, message.DeviceTime, message.FormatId, message.FormatVersion, message.Warnings, message.RejectionReason) = (null, null, null, null, null, null);
            message.State = MessageState.Received;
            decoder.Decide(message, now, logger);
        }

        await db.SaveChangesAsync(ct);
        latest.Committed(messages);
        feed.Publish(new MessagesChanged(messages.Select(m => m.DeviceId).ToHashSet()));
        return (new ReprocessResult(messages.Count, messages.Count(m => m.State == MessageState.Processed), messages.Count(m => m.State == MessageState.Rejected)), null);
    }
}
