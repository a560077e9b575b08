using System.Globalization;

namespace IoTRoutes.Web.Components.Pages.Devices;

/// <summary>
/// A window of time for the device's charts: a quick range ending now (it follows new messages) or fixed dates.
/// </summary>
public sealed record TelemetryRange(string Key, string Label, TimeSpan? Length, DateTimeOffset? FixedFrom = null, DateTimeOffset? FixedTo = null)
{
    public static readonly IReadOnlyList<TelemetryRange> Quick =
    [
        new("15m", "15 min", TimeSpan.FromMinutes(15)),
        new("1h", "1 hour", TimeSpan.FromHours(1)),
        new("6h", "6 hours", TimeSpan.FromHours(6)),
        new("24h", "24 hours", TimeSpan.FromHours(24)),
        new("7d", "7 days", TimeSpan.FromDays(7)),
        new("30d", "30 days", TimeSpan.FromDays(30)),
    ];

    public static TelemetryRange Default => Quick[3];

    /// <summary>Fixed whole days, <paramref name="from"/> 00:00 to the end of <paramref name="to"/>.</summary>
    public static TelemetryRange Days(DateTime from, DateTime to) =>
        new("custom", $"{from:yyyy-MM-dd} to {to:yyyy-MM-dd}", null, new DateTimeOffset(from.Date, TimeSpan.Zero), new DateTimeOffset(to.Date.AddDays(1), TimeSpan.Zero));

    public bool FollowsNow => Length is not null;

    public (DateTimeOffset From, DateTimeOffset To) Window(DateTimeOffset now) =>
        Length is { } length ? (now - length, now) : (FixedFrom!.Value, FixedTo!.Value);

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
