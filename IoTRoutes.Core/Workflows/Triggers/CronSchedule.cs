using Cronos;

namespace IoTRoutes.Core.Workflows.Triggers;

/// <summary>
/// A cron expression in a time zone (Cronos): its occurrences, daylight-saving changes included (a time skipped in spring
/// runs at the first valid moment after, one repeated in autumn once), and a description in words.
/// </summary>
public sealed class CronSchedule
{
    private CronSchedule(string cron, CronExpression expression, TimeZoneInfo zone)
    {
        (Cron, Expression, Zone) = (cron, expression, zone);
        Description = $"{CronWords.Describe(cron)}, {zone.Id}";
    }

    public string Cron { get; }

    public CronExpression Expression { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>"every weekday at 07:00, Europe/Paris"; the expression itself where it has no simple reading.</summary>
    public string Description { get; }

    /// <summary>Five fields (minute to day of week), or six with seconds first.</summary>
    public static bool TryParse(string cron, string? zoneId, out CronSchedule? schedule, out string? problem)
    {
        schedule = null;
        var text = cron.Trim();
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            problem = $"A cron expression has 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; this one has {fields}.";
            return false;
        }

        CronExpression expression;
        try
        {
            expression = CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            problem = $"Not a cron expression: {e.Message}";
            return false;
        }

        if (!TryZone(zoneId, out var zone))
        {
            problem = $"Time zone {zoneId} is not known; use an IANA name such as Europe/Paris, or UTC.";
            return false;
        }

        schedule = new CronSchedule(string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries)), expression, zone);
        problem = null;
        return true;
    }

    /// <summary>
    /// The first occurrence strictly after <paramref name="after"/>, in UTC (as times are stored: a provider that keeps
    /// offsets would not order mixed ones by time); null when there is none (Feb 30th).
    /// </summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) => Expression.GetNextOccurrence(after, Zone)?.ToUniversalTime();

    /// <summary>The time as the schedule's zone reads it (for people).</summary>
    public DateTimeOffset InZone(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);

    /// <summary>The next <paramref name="count"/> occurrences after <paramref name="after"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Next(DateTimeOffset after, int count)
    {
        var list = new List<DateTimeOffset>(count);
        var at = after;
        while (list.Count < count && NextAfter(at) is { } next)
        {
            list.Add(next);
            at = next;
        }

        return list;
    }

    private static bool TryZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id) || id is "UTC" or "Etc/UTC") return true;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }
}
