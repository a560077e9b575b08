using System.Globalization;
using IoTRoutes.Core.Messaging.Explorer;
using Microsoft.AspNetCore.WebUtilities;

namespace IoTRoutes.Web.Components.Pages.Messages.Explorer;

/// <summary>The time ranges the explorer offers: a quick range ends now and stays open; Custom has absolute bounds.</summary>
public enum ExplorerRange
{
    Any,
    Last15Minutes,
    LastHour,
    Last24Hours,
    Last7Days,
    Custom,
}

/// <summary>
/// What the Messages page is showing, as it sits in the page's address (so a search can be bookmarked, shared and reached
/// from other pages): the filter's parameters as the API names them, a quick range or absolute from/to (UTC).
/// </summary>
public sealed record ExplorerState(
    string? DeviceId = null,
    string? EntityId = null,
    string? ProfileId = null,
    string? Topic = null,
    string? State = null,
    string? Reason = null,
    string? Field = null,
    string? Op = null,
    string? Value = null,
    ExplorerRange Range = ExplorerRange.Any,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null)
{
    private static readonly Dictionary<ExplorerRange, string> RangeNames = new()
    {
        [ExplorerRange.Last15Minutes] = "15m",
        [ExplorerRange.LastHour] = "1h",
        [ExplorerRange.Last24Hours] = "24h",
        [ExplorerRange.Last7Days] = "7d",
        [ExplorerRange.Custom] = "custom",
    };

    /// <summary>Whether the newest messages belong to this search as they arrive (no upper time bound).</summary>
    public bool IsOpenEnded => Range != ExplorerRange.Custom || To is null;

    /// <summary>
    /// A field condition applies once it has a value (or tests presence): while the operator is still typing it, the search
    /// runs without it instead of showing an error.
    /// </summary>
    public bool IsFieldConditionComplete => Field is not null && (Value is not null || string.Equals(Op, "exists", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether anything narrows the search beyond its time range.</summary>
    public bool HasFilters => this with { Range = ExplorerRange.Any, From = null, To = null } != new ExplorerState();

    /// <summary>The filter's text parameters at <paramref name="now"/>: a quick range becomes a lower bound.</summary>
    public MessageFilterText ToFilterText(DateTimeOffset now)
    {
        var from = Range switch
        {
            ExplorerRange.Last15Minutes => now.AddMinutes(-15),
            ExplorerRange.LastHour => now.AddHours(-1),
            ExplorerRange.Last24Hours => now.AddDays(-1),
            ExplorerRange.Last7Days => now.AddDays(-7),
            ExplorerRange.Custom => From,
            _ => null,
        };
        var to = Range == ExplorerRange.Custom ? To : null;
        var (field, op) = IsFieldConditionComplete ? (Field, Op) : (null, null);
        return new MessageFilterText(DeviceId, EntityId, ProfileId, Topic, State, Reason, field, op, field is null ? null : Value, Iso(from), Iso(to));
    }

    /// <summary>The page's address for this state, relative to the app's base (only what is set).</summary>
    public string ToRelativeUri()
    {
        var query = new Dictionary<string, string?>
        {
            ["deviceId"] = DeviceId, ["entityId"] = EntityId, ["profileId"] = ProfileId, ["topic"] = Topic, ["state"] = State,
            ["reason"] = Reason, ["field"] = Field, ["op"] = Op, ["value"] = Value,
            ["range"] = RangeNames.GetValueOrDefault(Range),
            ["from"] = Range == ExplorerRange.Custom ? Iso(From) : null,
            ["to"] = Range == ExplorerRange.Custom ? Iso(To) : null,
        };
        return QueryHelpers.AddQueryString("messages", query.Where(p => !string.IsNullOrEmpty(p.Value)).ToDictionary(p => p.Key, p => p.Value));
    }

    /// <summary>The export link's address for the same search at <paramref name="now"/> (a quick range made absolute).</summary>
    public string ExportUri(ExportFormat format, DateTimeOffset now)
    {
        var text = ToFilterText(now);
        var query = new Dictionary<string, string?>
        {
            ["format"] = format.ToString().ToLowerInvariant(),
            ["deviceId"] = text.DeviceId, ["entityId"] = text.EntityId, ["profileId"] = text.ProfileId, ["topic"] = text.Topic,
            ["state"] = text.State, ["reason"] = text.Reason, ["field"] = text.Field, ["op"] = text.Op, ["value"] = text.Value,
            ["from"] = text.From, ["to"] = text.To,
        };
        return QueryHelpers.AddQueryString("messages/export", query.Where(p => !string.IsNullOrEmpty(p.Value)).ToDictionary(p => p.Key, p => p.Value));
    }

    /// <summary>The state of the page's query parameters; a range name it does not know is read as no range.</summary>
    public static ExplorerState FromQuery(
        string? deviceId, string? entityId, string? profileId, string? topic, string? state, string? reason, string? field, string? op, string? value,
        string? range, string? from, string? to)
    {
        var chosen = RangeNames.FirstOrDefault(p => string.Equals(p.Value, range, StringComparison.OrdinalIgnoreCase)).Key;
        return new ExplorerState(Blank(deviceId), Blank(entityId), Blank(profileId), Blank(topic), Blank(state), Blank(reason), Blank(field), Blank(op),
            value, chosen, chosen == ExplorerRange.Custom ? Time(from) : null, chosen == ExplorerRange.Custom ? Time(to) : null);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime() : null;

    private static string? Iso(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
