using System.Text;
using IoTRoutes.Core.Messaging.Telemetry;

namespace IoTRoutes.Tests.Core.Messaging;

public sealed class NumericTelemetryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Numeric_fields_present_in_every_message_become_aligned_series()
    {
        var chart = NumericTelemetry.Extract(
        [
            At(0, """{"temp":20.5,"hum":40,"label":"a"}"""),
            At(1, """{"hum":41,"temp":21,"extra":7}"""),
            At(2, """{"temp":21.5,"hum":42,"ok":true}"""),
        ]);

        Assert.Equal([T0, T0.AddSeconds(1), T0.AddSeconds(2)], chart.Times);
        Assert.Equal(["temp", "hum"], chart.Fields.Select(f => f.Name));
        Assert.Equal([20.5, 21, 21.5], chart.Fields[0].Values);
        Assert.Equal([40.0, 41, 42], chart.Fields[1].Values);
    }

    [Fact]
    public void Payloads_that_are_not_json_objects_with_numbers_are_left_out()
    {
        var chart = NumericTelemetry.Extract([At(0, "21.5"), At(1, "[1,2]"), At(2, "{broken"), At(3, """{"name":"x"}"""), At(4, """{"v":3}""")]);

        Assert.Equal([T0.AddSeconds(4)], chart.Times);
        Assert.Equal(3, Assert.Single(chart.Fields).Values.Single());
    }

    [Fact]
    public void Nothing_to_chart_gives_the_empty_chart()
    {
        Assert.Same(TelemetryChart.Empty, NumericTelemetry.Extract([]));
        Assert.Same(TelemetryChart.Empty, NumericTelemetry.Extract([At(0, """{"a":1}"""), At(1, """{"b":2}""")]));
    }

    [Fact]
    public void At_most_four_fields_are_charted()
    {
        var chart = NumericTelemetry.Extract([At(0, """{"a":1,"b":2,"c":3,"d":4,"e":5}""")]);
        Assert.Equal(["a", "b", "c", "d"], chart.Fields.Select(f => f.Name));
    }

    private static (DateTimeOffset, byte[]) At(int second, string json) => (T0.AddSeconds(second), Encoding.UTF8.GetBytes(json));
}
