using IoTRoutes.Core.Communicators.MqttBridge;

namespace IoTRoutes.Tests.Communicators.MqttBridge;

public sealed class TopicMappingTests
{
    private static TopicMapping Compile(MqttBridgeDirection direction, string filter, string topic)
    {
        var problems = new ProblemList();
        var mapping = TopicMapping.Compile(new MqttBridgeMapping { Direction = direction, Filter = filter, Topic = topic }, "m", problems);
        Assert.True(problems.IsEmpty, string.Join("; ", problems.ToDictionary().SelectMany(p => p.Value)));
        return mapping!;
    }

    [Theory]
    [InlineData("site1/+/telemetry", "devices/{1}/telemetry", "site1/abc/telemetry", "devices/abc/telemetry")]
    [InlineData("site1/+/+", "devices/{1}/{2}", "site1/abc/temp", "devices/abc/temp")]
    [InlineData("+/sensors/#", "devices/{1}/raw/{2}", "hall/sensors/a/b/c", "devices/hall/raw/a/b/c")]
    [InlineData("+/sensors/#", "devices/{1}/raw/{2}", "hall/sensors", "devices/hall/raw/")]
    [InlineData("site1/+/telemetry", "devices/{1}/telemetry", "site2/abc/telemetry", null)]
    public void Inbound_filters_rewrite_matching_topics(string filter, string template, string topic, string? expected)
    {
        Assert.Equal(expected, Compile(MqttBridgeDirection.Inbound, filter, template).Map(topic));
    }

    [Fact]
    public void Outbound_templates_take_the_device_key()
    {
        var mapping = Compile(MqttBridgeDirection.Outbound, "devices/+/telemetry", "plant/{key}/t/{1}");

        Assert.Equal("plant/abc/t/abc", mapping.Map("devices/abc/telemetry", "abc"));
        Assert.Null(mapping.Map("devices/abc/status", "abc"));
    }

    [Theory]
    [InlineData("devices/abc/telemetry", "abc", null)]
    [InlineData("devices//telemetry", null, "names no device")]
    [InlineData("devices/abc/", null, "nothing after the device key")]
    [InlineData("devices/abc/commands/1/reply", null, "command topic")]
    [InlineData("devices", null, "names no device")]
    public void A_mapped_inbound_topic_names_a_device_or_says_why_not(string target, string? key, string? why)
    {
        var (actualKey, actualWhy) = TopicMapping.ReadDeviceTopic(target);

        Assert.Equal(key, actualKey);
        if (why is null) Assert.Null(actualWhy);
        else Assert.Contains(why, actualWhy);
    }

    [Theory]
    [InlineData("a/+/c", "a/b/+", true)]
    [InlineData("a/#", "a", true)]
    [InlineData("a/+", "a/b/c", false)]
    [InlineData("a/b", "a/c", false)]
    [InlineData("+/+", "#", true)]
    public void Overlap_says_whether_some_topic_matches_both_filters(string a, string b, bool overlap)
    {
        Assert.Equal(overlap, TopicMapping.Overlap(a, b));
        Assert.Equal(overlap, TopicMapping.Overlap(b, a));
    }

    [Fact]
    public void Delays_double_from_one_second_to_a_minute()
    {
        Assert.Equal([1, 1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(0, 9).Select(f => MqttBridgeConnection.Delay(f).TotalSeconds));
    }
}
