namespace IoTRoutes.Core.Messaging.Rejections;

/// <summary>
/// A page of rejected messages, newest first. <see cref="Cursor"/> is the id of the last message of the previous page:
/// ids are time-ordered (<see cref="MessageIds"/>), so the next page is the ids below it, found by the index, never by
/// skipping rows.
/// </summary>
public sealed record RejectedMessageQuery(RejectedMessageFilter Filter, Guid? Cursor = null, int Limit = RejectedMessageQuery.DefaultLimit)
{
    public const int DefaultLimit = 50;

    /// <summary>A page carries the payloads it previews: this bounds what one request reads.</summary>
    public const int MaxLimit = 200;

    public IReadOnlyDictionary<string, string[]>? Validate()
    {
        var errors = QueryWindow.Check(Limit, MaxLimit, null, null);
        Filter.Check(errors);
        return errors.Count == 0 ? null : errors;
    }
}
