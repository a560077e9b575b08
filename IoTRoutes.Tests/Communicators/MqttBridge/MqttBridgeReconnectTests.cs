using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.MqttBridge;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTRoutes.Tests.Communicators.MqttBridge;

/// <summary>A bridge outlives its broker: killed and started again, the bridge reconnects and subscribes again by itself.</summary>
public sealed class MqttBridgeReconnectTests
{
    [Fact]
    public async Task After_the_broker_is_killed_and_restarted_the_bridge_reconnects_and_its_subscriptions_work_again()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var inbound = new RecordingInbound();
        await using var host = new MqttBridgeHost(new MqttBridgeConnector(TimeProvider.System), inbound, TimeProvider.System, NullLoggerFactory.Instance);
        var settings = broker.Settings(new MqttBridgeMapping { Direction = MqttBridgeDirection.Inbound, Filter = "plant/+/up", Topic = "devices/{1}/up" })
            with { CleanStart = true };
        var bridge = await host.StartAsync(Guid.NewGuid(), settings, broker.Secrets);
        await Until(bridge, s => s.Status == MqttBridgeStatus.Connected, "connected");

        await broker.KillAsync();
        var dropped = await Until(bridge, s => s.Status == MqttBridgeStatus.Reconnecting, "reconnecting after the drop");
        Assert.NotNull(dropped.LastError);
        Assert.NotNull(dropped.NextAttemptAt);
        Assert.Null(dropped.ConnectedSince);
        var refused = await Until(bridge, s => s.LastFailure == ConnectionFailure.Refused, "an attempt refused while the broker is down");
        Assert.Equal(MqttBridgeStatus.Reconnecting, refused.Status);

        await broker.RestartAsync(); // a new broker process: no session, no subscription left from before
        var back = await Until(bridge, s => s.Status == MqttBridgeStatus.Connected, "connected again");
        Assert.Null(back.LastError);

        await broker.PublishAsync("plant/p7/up", "after restart");
        Assert.Equal("devices/p7/up", (await inbound.NextAsync()).Topic);
    }

    private static Task<MqttBridgeState> Until(MqttBridgeConnection bridge, Func<MqttBridgeState, bool> condition, string what) =>
        Eventually.GetAsync(() => Task.FromResult(condition(bridge.State) ? bridge.State : null), $"the bridge {what} (state: {bridge.State})", TimeSpan.FromSeconds(20));
}
