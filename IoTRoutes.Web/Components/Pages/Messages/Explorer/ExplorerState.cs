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
/// from other pages): the filter's parameters as the API names them (<see cref="Filter"/>, without its time bounds), and a
/// quick range or absolute from/to.
/// </summary>
public sealed record ExplorerState(MessageFilterText Filter, ExplorerRange Range = ExplorerRange.Any, DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    private static readonly Dictionary<ExplorerRange, string> RangeNames = new()
    {
        [ExplorerRange.Last15Minutes] = "15m",
        [ExplorerRange.LastHour] = "1h",
        [ExplorerRange.Last24Hours] = "24h",
        [ExplorerRange.Last7Days] = "7d",
        [ExplorerRange.Custom] = "custom",
    };

    public ExplorerState()
        : this(new MessageFilterText())
    {
    }

    /// <summary>Whether the newest messages belong to this search as they arrive (no upper time bound).</summary>
    public bool IsOpenEnded => Range != ExplorerRange.Custom || To is null;

    /// <summary>Whether anything narrows the search beyond its time range.</summary>
    public bool HasFilters => Filter != new MessageFilterText();

    /// <summary>
    /// A field condition applies once it has a value (or tests presence): while the operator is still typing it, the search
    /// runs without it instead of showing an error.
    /// </summary>
    public bool IsFieldConditionComplete =>
        Filter.Field is not null && (Filter.Value is not null || string.Equals(Filter.Op, "exists", StringComparison.OrdinalIgnoreCase));

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
        var filter = IsFieldConditionComplete ? Filter : Filter with { Field = null, Op = null, Value = null };
        return filter with { From = Iso(from), To = Iso(Range == ExplorerRange.Custom ? To : null) };
    }

    /// <summary>The page's address for this state, relative to the app's base (only what is set).</summary>
    public string ToRelativeUri()
    {
        var query = QueryOf(Filter with { From = null, To = null });
        query["range"] = RangeNames.GetValueOrDefault(Range);
        if (Range == ExplorerRange.Custom)
        {
            (query["from"], query["to"]) = (Iso(From), Iso(To));
        }

        return WithQuery("messages", query);
    }

    /// <summary>The export link's address for the same search at <paramref name="now"/> (a quick range made absolute).</summary>
    public string ExportUri(ExportFormat format, DateTimeOffset now)
    {
        var query = new Dictionary<string, string?> { ["format"] = format.ToString().ToLowerInvariant() };
        foreach (var (name, value) in QueryOf(ToFilterText(now)))
        {
            query[name] = value;
        }

        return WithQuery("messages/export", query);
    }

    /// <summary>The state of the page's query parameters; a range name it does not know is read as no range.</summary>
    public static ExplorerState FromQuery(Func<string, string?> parameter)
    {
        string? Text(string name) => parameter(name) is { } text && !string.IsNullOrWhiteSpace(text) ? text : null;
        var range = RangeNames.FirstOrDefault(p => string.Equals(p.Value, Text("range"), StringComparison.OrdinalIgnoreCase)).Key;
        var filter = new MessageFilterText(Text("deviceId"), Text("entityId"), Text("profileId"), Text("topic"), Text("state"), Text("reason"),
            Text("field"), Text("op"), parameter("value"));
        return new ExplorerState(filter, range, range == ExplorerRange.Custom ? Time(Text("from")) : null, range == ExplorerRange.Custom ? Time(Text("to")) : null);
    }

    /// <summary>The filter's parameters by the names the API and the page's address give them.</summary>
    private static Dictionary<string, string?> QueryOf(MessageFilterText f) => new()
    {
        ["deviceId"] = f.DeviceId, ["entityId"] = f.EntityId, ["profileId"] = f.ProfileId, ["topic"] = f.Topic, ["state"] = f.State,
        ["reason"] = f.Reason, ["field"] = f.Field, ["op"] = f.Op, ["value"] = f.Value, ["from"] = f.From, ["to"] = f.To,
    };

    private static string WithQuery(string path, Dictionary<string, string?> query) =>
        QueryHelpers.AddQueryString(path, query.Where(p => !string.IsNullOrEmpty(p.Value)).ToDictionary(p => p.Key, p => p.Value));

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime() : null;

    private static string? Iso(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
