namespace IoTRoutes.Core.Messaging.Rejections;

/// <summary>
/// Which rejected messages an operator means: of a device, failed by a format, whose reason contains a text
/// (case-insensitive), received within a time range. Listing, the reasons summary and reprocessing share it.
/// </summary>
public sealed record RejectedMessageFilter(
    Guid? DeviceId = null, Guid? FormatId = null, string? Reason = null, DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    /// <summary>As long as a stored reason can be.</summary>
    public const int MaxReasonLength = 1024;

    public bool IsEmpty => DeviceId is null && FormatId is null && string.IsNullOrWhiteSpace(Reason) && From is null && To is null;

    public IReadOnlyDictionary<string, string[]>? Validate()
    {
        var errors = new Dictionary<string, string[]>();
        Check(errors);
        return errors.Count == 0 ? null : errors;
    }

    /// <summary>Adds the errors of the filter's fields to <paramref name="errors"/>.</summary>
    internal void Check(Dictionary<string, string[]> errors)
    {
        if (From is { } from && To is { } to && from > to)
        {
            errors["from"] = ["from must not be later than to."];
        }

        if (Reason is { Length: > MaxReasonLength })
        {
            errors["reason"] = [$"reason has at most {MaxReasonLength} characters."];
        }
    }

    /// <summary>The messages of <paramref name="messages"/> that match, whatever their state.</summary>
    internal IQueryable<Message> Apply(IQueryable<Message> messages)
    {
        if (DeviceId is { } deviceId)
        {
            messages = messages.Where(m => m.DeviceId == deviceId);
        }

        if (FormatId is { } formatId)
        {
            messages = messages.Where(m => m.FormatId == formatId);
        }

        if (!string.IsNullOrWhiteSpace(Reason))
        {
            // Upper on both sides: translated on every provider (SQLite's upper() folds ASCII only, like its LIKE).
            var reason = Reason.Trim().ToUpperInvariant();
            messages = messages.Where(m => m.RejectionReason != null && m.RejectionReason.ToUpper().Contains(reason));
        }

        // Stored times are UTC; a bound given with another offset is the same instant in UTC.
        if (From?.ToUniversalTime() is { } from)
        {
            messages = messages.Where(m => m.ReceivedAt >= from);
        }

        if (To?.ToUniversalTime() is { } to)
        {
            messages = messages.Where(m => m.ReceivedAt <= to);
        }

        return messages;
    }
}
