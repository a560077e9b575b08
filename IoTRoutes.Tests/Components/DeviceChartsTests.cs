using Bunit;
using IoTRoutes.Core.Messaging.Telemetry;
using IoTRoutes.Web.Components.Pages.Devices;

namespace IoTRoutes.Tests.Components;

public sealed class DeviceChartsTests : PageTestContext
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_message_without_a_field_leaves_that_field_s_chart_whole_and_charts_the_other_field_beside_it()
    {
        var device = await CreateDeviceAsync("Greenhouse");
        await StoreMessageAsync(device, """{"temp":20.5}""");
        await StoreMessageAsync(device, """{"temp":21}""");
        await StoreMessageAsync(device, """{"battery":87}"""); // another topic's message, no temp in it
        await StoreMessageAsync(device, """{"temp":21.5}""");
        await StoreMessageAsync(device, """{"temp":22}""");

        var cut = Render<TelemetryCharts>(ps => ps.Add(p => p.DeviceId, device.Id));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-test=telemetry-chart]").Count));
        var temp = cut.FindAll("[data-test=telemetry-chart]").Single(c => c.TextContent.Contains("temp"));
        Assert.Equal(4, temp.QuerySelectorAll("[data-test=marker]").Length);
        Assert.Single(temp.QuerySelectorAll("[data-test=segment]")); // one line through all four, no gap at the battery message
        var battery = cut.FindAll("[data-test=telemetry-chart]").Single(c => c.TextContent.Contains("battery"));
        Assert.Single(battery.QuerySelectorAll("[data-test=marker]"));
    }

    [Fact]
    public void Points_sit_on_a_real_time_axis_so_a_pause_looks_as_long_as_it_was()
    {
        // 10:00:00, 10:00:10, 10:00:20, then 10:01:20: a one-minute pause is six times a ten-second step.
        var points = new[] { Point(0, 1), Point(10, 2), Point(20, 3), Point(80, 4) };

        var layout = FieldChartLayout.Of(points, points[0].At, points[^1].At, TimeZoneInfo.Utc);

        var xs = layout.Segments.SelectMany(s => s).Select(p => p.X).ToList();
        Assert.Equal(6 * (xs[1] - xs[0]), xs[3] - xs[2], 6);
        Assert.Equal(FieldChartLayout.Left, xs[0], 6);
        Assert.Equal(FieldChartLayout.Right, xs[3], 6);
    }

    [Fact]
    public void A_field_silent_for_much_longer_than_usual_is_drawn_with_a_gap()
    {
        // Every 10 s for a minute, nothing for ten minutes, then every 10 s again.
        var points = Enumerable.Range(0, 7).Select(i => Point(i * 10, i)).Concat(Enumerable.Range(0, 4).Select(i => Point(660 + i * 10, i))).ToList();

        var layout = FieldChartLayout.Of(points, points[0].At, points[^1].At, TimeZoneInfo.Utc);

        Assert.Equal([7, 4], layout.Segments.Select(s => s.Count));
        Assert.Equal(11, layout.Markers.Count);
    }

    [Fact]
    public void The_value_axis_has_round_steps_that_fit_the_values()
    {
        var points = new[] { Point(0, 20.5), Point(10, 21.2), Point(20, 22) };

        var layout = FieldChartLayout.Of(points, points[0].At, points[^1].At, TimeZoneInfo.Utc);

        Assert.Equal(["20.5", "21.0", "21.5", "22.0"], layout.ValueTicks.Select(t => t.Label));
        Assert.Equal(["0", "2,500", "5,000", "7,500", "10,000"], FieldChartLayout.Of([Point(0, 0), Point(1, 9_800)], T0, T0.AddSeconds(1), TimeZoneInfo.Utc).ValueTicks.Select(t => t.Label));
        Assert.Equal(["0.010", "0.015", "0.020", "0.025", "0.030"], FieldChartLayout.Of([Point(0, 0.012), Point(1, 0.03)], T0, T0.AddSeconds(1), TimeZoneInfo.Utc).ValueTicks.Select(t => t.Label));
    }

    [Fact]
    public void A_single_value_is_drawn_in_the_middle_of_its_axis_with_ticks_around_it()
    {
        var layout = FieldChartLayout.Of([Point(0, 87)], T0, T0, TimeZoneInfo.Utc);

        var point = Assert.Single(layout.Markers);
        Assert.Equal((FieldChartLayout.Left + FieldChartLayout.Right) / 2, point.X, 6);
        Assert.Contains(layout.ValueTicks, t => t.Label == "80");
        Assert.Contains(layout.ValueTicks, t => t.Label == "95");
    }

    [Fact]
    public void Time_ticks_fall_on_round_local_times_in_the_given_zone()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("UTC+2", TimeSpan.FromHours(2), "UTC+2", "UTC+2");
        var from = new DateTimeOffset(2026, 11, 25, 10, 7, 13, TimeSpan.Zero);

        var layout = FieldChartLayout.Of([new SeriesPoint(from, 1), new SeriesPoint(from.AddHours(1), 2)], from, from.AddHours(1), zone);

        Assert.Equal(["12:10", "12:20", "12:30", "12:40", "12:50", "13:00"], layout.TimeTicks.Select(t => t.Label));
    }

    [Fact]
    public void Hovering_a_marker_shows_its_value_with_the_unit_and_its_time()
    {
        var cut = Render<FieldChart>(ps => ps.Add(p => p.Points, [Point(0, 21.5), Point(60, 22)]).Add(p => p.Unit, "°C")
            .Add(p => p.From, T0).Add(p => p.To, T0.AddMinutes(1)));

        var tips = cut.FindAll("[data-test=marker] .field-chart-tip").Select(t => string.Join(" | ", t.QuerySelectorAll("text").Select(x => x.TextContent))).ToList();
        Assert.Equal(["21.5 °C | 2026-11-25 10:00:00", "22 °C | 2026-11-25 10:01:00"], tips);
    }

    private static SeriesPoint Point(int seconds, double value) => new(T0.AddSeconds(seconds), value);
}
