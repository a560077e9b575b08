using IoTRoutes.Core.Messaging.Brokers;

namespace IoTRoutes.Tests.Core.Messaging;

public sealed class DeviceTopicsTests
{
    [Theory]
    [InlineData("devices/abc/telemetry", true)]
    [InlineData("devices/abc/a/b/c", true)]
    [InlineData("devices/abc/#", true)]
    [InlineData("devices/abc/", false)]
    [InlineData("devices/abc", false)]
    [InlineData("devices/abcd/telemetry", false)]
    [InlineData("devices/ab/telemetry", false)]
    [InlineData("devices/+/telemetry", false)]
    [InlineData("devices/#", false)]
    [InlineData("#", false)]
    [InlineData("Devices/abc/telemetry", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_device_owns_only_topics_under_its_own_key(string? topic, bool own)
    {
        Assert.Equal(own, DeviceTopics.IsOwn("abc", topic));
    }
}
