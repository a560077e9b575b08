using System.Globalization;

namespace IoTRoutes.Core.Workflows.Triggers;

/// <summary>
/// The common shapes of cron expressions in words ("every weekday at 07:00", "every 15 minutes", "on day 1 of every month
/// at 06:30"); anything else as "cron &lt;expression&gt;". Names of days and months as Cronos reads them (MON, JAN) or numbers.
/// </summary>
internal static class CronWords
{
    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    public static string Describe(string cron)
    {
        var f = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (second, rest) = f.Length == 6 ? (f[0], f[1..]) : ("0", f);
        if (rest.Length != 5) return $"cron {cron}";
        var (minute, hour, dayOfMonth, month, dayOfWeek) = (rest[0], rest[1], rest[2], rest[3], rest[4]);
        var fallback = $"cron {cron}";

        if (second != "0")
        {
            return second.StartsWith("*/", StringComparison.Ordinal) && minute == "*" && hour == "*" && dayOfMonth == "*" && month == "*" && dayOfWeek == "*"
                ? $"every {Step(second)} seconds"
                : fallback;
        }

        string? time = null;
        string? often = null;
        if (Number(minute, 59) is { } m && Number(hour, 23) is { } h) time = $"at {h:00}:{m:00}";
        else if (Number(minute, 59) is { } mm && hour.Split(',') is { Length: > 1 } hours && hours.All(x => Number(x, 23) is not null))
            time = "at " + string.Join(", ", hours.Select(x => $"{Number(x, 23):00}:{mm:00}"));
        else if (minute == "*" && hour == "*") often = "every minute";
        else if (minute.StartsWith("*/", StringComparison.Ordinal) && Step(minute) is { } s && hour == "*") often = $"every {s} minutes";
        else if (Number(minute, 59) is { } only && hour == "*") often = only == 0 ? "every hour" : $"every hour at minute {only}";
        else if (Number(minute, 59) is { } at && hour.StartsWith("*/", StringComparison.Ordinal) && Step(hour) is { } hs) often = $"every {hs} hours at minute {at}";
        else return fallback;

        var days = DayPhrase(dayOfMonth, month, dayOfWeek);
        if (days is null) return fallback;
        return often is not null
            ? (days == "every day" ? often : $"{often}, {days}")
            : $"{days} {time}";
    }

    private static string? DayPhrase(string dayOfMonth, string month, string dayOfWeek)
    {
        string? monthWords = month == "*" ? null : MonthList(month);
        if (month != "*" && monthWords is null) return null;
        string? days;
        if (dayOfMonth == "*" && dayOfWeek is "*" or "?") days = monthWords is null ? "every day" : $"every day in {monthWords}";
        else if (dayOfMonth is "*" or "?" && WeekDays(dayOfWeek) is { } week) days = monthWords is null ? week : $"{week} in {monthWords}";
        else if (dayOfWeek is "*" or "?" && dayOfMonth == "L") days = $"on the last day of {monthWords ?? "every month"}";
        else if (dayOfWeek is "*" or "?" && dayOfMonth.Split(',').All(d => Number(d, 31) is { } n && n >= 1))
            days = $"on day {string.Join(", ", dayOfMonth.Split(','))} of {monthWords ?? "every month"}";
        else days = null;
        return days;
    }

    private static string? WeekDays(string field)
    {
        var normalized = field.ToUpperInvariant();
        if (normalized is "1-5" or "MON-FRI") return "every weekday";
        if (normalized is "0,6" or "6,0" or "SAT,SUN" or "SUN,SAT" or "6-7") return "every weekend day";
        var parts = normalized.Split(',');
        var names = new List<string>();
        foreach (var part in parts)
        {
            if (part.Split('-') is [var a, var b] && Day(a) is { } from && Day(b) is { } to) names.Add($"{Days[from]} to {Days[to]}");
            else if (Day(part) is { } day) names.Add(Days[day]);
            else return null;
        }

        return "every " + string.Join(", ", names);
    }

    private static int? Day(string text)
    {
        if (Array.IndexOf(DayNames, text) is var i and >= 0) return i;
        return Number(text, 7) is { } n ? n % 7 : null;
    }

    private static string? MonthList(string field)
    {
        var names = new List<string>();
        foreach (var part in field.ToUpperInvariant().Split(','))
        {
            var index = Array.IndexOf(MonthNames, part) is var i and >= 0 ? i + 1 : Number(part, 12) ?? 0;
            if (index < 1) return null;
            names.Add(CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(index));
        }

        return string.Join(", ", names);
    }

    private static int? Number(string text, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 0 && n <= max ? n : null;

    private static int? Step(string text) => Number(text[2..], 59) is { } n and > 0 ? n : null;
}
