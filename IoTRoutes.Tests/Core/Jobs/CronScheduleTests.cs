using IoTRoutes.Core.Workflows.Triggers;

namespace IoTRoutes.Tests.Core.Jobs;

/// <summary>Cron in a time zone: occurrences across daylight-saving changes, descriptions in words, clear errors.</summary>
public sealed class CronScheduleTests
{
    [Theory]
    [InlineData("0 7 * * 1-5", "Europe/Paris", "every weekday at 07:00, Europe/Paris")]
    [InlineData("*/15 * * * *", "UTC", "every 15 minutes, UTC")]
    [InlineData("30 6 1 * *", "UTC", "on day 1 of every month at 06:30, UTC")]
    [InlineData("0 * * * *", null, "every hour, UTC")]
    [InlineData("0 8,18 * * SAT,SUN", "America/New_York", "every weekend day at 08:00, 18:00, America/New_York")]
    [InlineData("0 9 * * MON", "UTC", "every Monday at 09:00, UTC")]
    [InlineData("0 0 L * *", "UTC", "on the last day of every month at 00:00, UTC")]
    [InlineData("*/10 * * * * *", "UTC", "every 10 seconds, UTC")]
    [InlineData("5 4 * 1,7 2", "UTC", "every Tuesday in January, July at 04:05, UTC")]
    [InlineData("0 */2 3 * *", "UTC", "every 2 hours at minute 0, on day 3 of every month, UTC")]
    [InlineData("0 9-17 * * *", "UTC", "cron 0 9-17 * * *, UTC")]
    public void A_schedule_is_described_in_words_or_else_by_its_expression(string cron, string? zone, string expected)
    {
        Assert.True(CronSchedule.TryParse(cron, zone, out var schedule, out var problem), problem);
        Assert.Equal(expected, schedule!.Description);
    }

    [Fact]
    public void Occurrences_follow_the_time_zone_and_its_daylight_saving_changes_once_a_day()
    {
        Assert.True(CronSchedule.TryParse("30 2 * * *", "Europe/Paris", out var nightly, out _));

        // Spring: 02:30 does not exist on 2027-03-28 (02:00 → 03:00); the run still happens that day, once.
        var spring = nightly!.Next(new DateTimeOffset(2027, 3, 27, 0, 0, 0, TimeSpan.Zero), 3);
        Assert.Equal(new DateTimeOffset(2027, 3, 27, 1, 30, 0, TimeSpan.Zero), spring[0]); // 02:30 CET
        Assert.Equal(new DateTime(2027, 3, 28), spring[1].UtcDateTime.Date);
        Assert.Equal(new DateTimeOffset(2027, 3, 29, 0, 30, 0, TimeSpan.Zero), spring[2]); // 02:30 CEST
        // Autumn: 02:30 happens twice on 2027-10-31; it runs once.
        var autumn = nightly.Next(new DateTimeOffset(2027, 10, 30, 0, 0, 0, TimeSpan.Zero), 3);
        Assert.Equal([new DateTime(2027, 10, 30), new DateTime(2027, 10, 31), new DateTime(2027, 11, 1)], autumn.Select(a => a.UtcDateTime.Date));
    }

    [Fact]
    public void Weekday_mornings_in_Paris_are_at_seven_local_time_summer_and_winter()
    {
        Assert.True(CronSchedule.TryParse("0 7 * * 1-5", "Europe/Paris", out var schedule, out _));

        var winter = schedule!.NextAfter(new DateTimeOffset(2027, 1, 8, 12, 0, 0, TimeSpan.Zero))!.Value; // a Friday noon
        var summer = schedule.NextAfter(new DateTimeOffset(2027, 7, 1, 12, 0, 0, TimeSpan.Zero))!.Value; // a Thursday noon

        Assert.Equal(new DateTimeOffset(2027, 1, 11, 6, 0, 0, TimeSpan.Zero), winter); // Monday 07:00 CET
        Assert.Equal(new DateTimeOffset(2027, 7, 2, 5, 0, 0, TimeSpan.Zero), summer); // Friday 07:00 CEST
    }

    [Theory]
    [InlineData("0 7 * *", "UTC", "has 5 fields")]
    [InlineData("61 7 * * *", "UTC", "Not a cron expression")]
    [InlineData("0 7 * * 1-5", "Mars/Olympus", "Time zone Mars/Olympus is not known")]
    public void A_bad_expression_or_zone_says_what_is_wrong(string cron, string zone, string expected)
    {
        Assert.False(CronSchedule.TryParse(cron, zone, out _, out var problem));
        Assert.Contains(expected, problem);
    }
}
