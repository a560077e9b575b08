namespace IoTRoutes.Core.Workflows.Alerts;

/// <summary>
/// A page of alerts, newest first (by when they were first raised: ids are version 7 UUIDs), filtered by state, severity,
/// device, type (exact) and when they were last raised. <see cref="Cursor"/> is the last id of the previous page.
/// </summary>
public sealed record AlertQuery(
    IReadOnlyCollection<AlertState>? States = null,
    IReadOnlyCollection<AlertSeverity>? Severities = null,
    Guid? DeviceId = null,
    string? Type = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    Guid? Cursor = null,
    int Limit = AlertQuery.DefaultLimit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>Active and Acknowledged: what still needs someone.</summary>
    public static readonly IReadOnlyCollection<AlertState> Open = [AlertState.Active, AlertState.Acknowledged];

    public IReadOnlyDictionary<string, string[]>? Validate()
    {
        var errors = QueryWindow.Check(Limit, MaxLimit, From, To);
        if (Type is { Length: > AlertRules.MaxTypeLength })
        {
            errors["type"] = [$"type has at most {AlertRules.MaxTypeLength} characters."];
        }

        return errors.Count == 0 ? null : errors;
    }

    internal IQueryable<Alert> Apply(IQueryable<Alert> alerts)
    {
        if (States is { Count: > 0 } states)
        {
            alerts = alerts.Where(a => states.Contains(a.State));
        }

        if (Severities is { Count: > 0 } severities)
        {
            alerts = alerts.Where(a => severities.Contains(a.Severity));
        }

        if (DeviceId is { } deviceId)
        {
            alerts = alerts.Where(a => a.DeviceId == deviceId);
        }

        if (!string.IsNullOrWhiteSpace(Type))
        {
            var type = Type.Trim();
            alerts = alerts.Where(a => a.Type == type);
        }

        if (From?.ToUniversalTime() is { } from)
        {
            alerts = alerts.Where(a => a.LastRaisedAt >= from);
        }

        if (To?.ToUniversalTime() is { } to)
        {
            alerts = alerts.Where(a => a.LastRaisedAt <= to);
        }

        if (Cursor is { } cursor)
        {
            alerts = alerts.Where(a => a.Id < cursor);
        }

        return alerts;
    }
}
