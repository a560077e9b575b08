using System.Globalization;

namespace IoTRoutes.Web.Components.Pages.Devices;

/// <summary>
/// A window of time for the device's charts: a quick range ending now (it follows new messages) or fixed dates, with the
/// spacing and format of the time axis that keep its labels readable.
/// </summary>
public sealed record TelemetryRange(string Key, string Label, TimeSpan? Length, DateTimeOffset? FixedFrom = null, DateTimeOffset? FixedTo = null)
{
    public static readonly IReadOnlyList<TelemetryRange> Quick =
    [
        new("1h", "1 hour", TimeSpan.FromHours(1)),
        new("6h", "6 hours", TimeSpan.FromHours(6)),
        new("24h", "24 hours", TimeSpan.FromHours(24)),
        new("7d", "7 days", TimeSpan.FromDays(7)),
        new("30d", "30 days", TimeSpan.FromDays(30)),
    ];

    public static TelemetryRange Default => Quick[2];

    /// <summary>Fixed whole days, <paramref name="from"/> 00:00 to the end of <paramref name="to"/>.</summary>
    public static TelemetryRange Days(DateTime from, DateTime to) =>
        new("custom", $"{from:yyyy-MM-dd} to {to:yyyy-MM-dd}", null, new DateTimeOffset(from.Date, TimeSpan.Zero), new DateTimeOffset(to.Date.AddDays(1), TimeSpan.Zero));

    public bool FollowsNow => Length is not null;

    public (DateTimeOffset From, DateTimeOffset To) Window(DateTimeOffset now) =>
        Length is { } length ? (now - length, now) : (FixedFrom!.Value, FixedTo!.Value);

    /// <summary>
    /// About six labels along the axis. The chart spans the points it draws, not the whole window, so the spacing follows
    /// the points' own span: a spacing wider than the span would place its labels wrong.
    /// </summary>
    public static TimeSpan LabelSpacing(TimeSpan span)
    {
        TimeSpan[] steps = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1),
            TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(6),
            TimeSpan.FromHours(12), TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(5), TimeSpan.FromDays(7)];
        return steps.FirstOrDefault(s => span / s <= 7, steps[^1]);
    }

    public static string LabelFormat(TimeSpan span) => span < TimeSpan.FromMinutes(5) ? "HH:mm:ss" : span <= TimeSpan.FromDays(1) ? "HH:mm" : "dd MMM HH:mm";

    /// <summary>The query string of the same window for the CSV export route.</summary>
    public string Query(DateTimeOffset now, IEnumerable<string> fields)
    {
        var (from, to) = Window(now);
        var parts = new List<string>
        {
            "from=" + Uri.EscapeDataString(from.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
            "to=" + Uri.EscapeDataString(to.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
        };
        var names = string.Join(',', fields);
        if (names.Length > 0) parts.Add("fields=" + Uri.EscapeDataString(names));
        parts.Add($"limit={IoTRoutes.Core.Messaging.Telemetry.SeriesQuery.MaxLimit}"); // the same messages as the charts, not the API's default 1,000
        return string.Join('&', parts);
    }
}
