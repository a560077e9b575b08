using System.Text;
using System.Text.Json;
using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.MqttBridge;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Tests.Communicators.MqttBridge;

/// <summary>Running bridges against a real mosquitto: messages both ways, acknowledgements, drops, failures, reconnection.</summary>
public sealed class MqttBridgeConnectionTests(MosquittoFixture fixture) : IClassFixture<MosquittoFixture>, IAsyncLifetime
{
    private readonly MosquittoBroker _broker = fixture.Broker;
    private readonly RecordingInbound _inbound = new();
    private readonly RecentWarnings _logs = new();
    private readonly string _site = $"site-{Guid.NewGuid():N}"[..13];
    private ILoggerFactory _loggers = null!;
    private MqttBridgeHost _host = null!;

    public Task InitializeAsync()
    {
        _loggers = LoggerFactory.Create(logging => logging.AddProvider(_logs));
        _host = new MqttBridgeHost(new MqttBridgeConnector(TimeProvider.System), _inbound, TimeProvider.System, _loggers);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _loggers.Dispose();
    }

    private static MqttBridgeMapping In(string filter, string topic, int qos = 1) => new() { Direction = MqttBridgeDirection.Inbound, Filter = filter, Topic = topic, Qos = qos };

    private static MqttBridgeMapping Out(string filter, string topic, bool retain = false) => new() { Direction = MqttBridgeDirection.Outbound, Filter = filter, Topic = topic, Retain = retain };

    private static Task<MqttBridgeState> WaitForAsync(MqttBridgeConnection bridge, Func<MqttBridgeState, bool> condition, string what) =>
        Eventually.GetAsync(() => Task.FromResult(condition(bridge.State) ? bridge.State : null), $"{what} (state: {bridge.State})", TimeSpan.FromSeconds(15));

    private async Task<MqttBridgeConnection> ConnectedAsync(MqttBridgeSettings settings, Guid? id = null)
    {
        var bridge = await _host.StartAsync(id ?? Guid.NewGuid(), settings, _broker.Secrets);
        await WaitForAsync(bridge, s => s.Status == MqttBridgeStatus.Connected, "the bridge connected");
        return bridge;
    }

    [Fact]
    public async Task A_message_published_on_the_external_broker_arrives_as_its_devices_uplink()
    {
        var bridge = await ConnectedAsync(_broker.Settings(In($"{_site}/+/telemetry", "devices/{1}/telemetry")));

        await _broker.PublishAsync($"{_site}/abc/telemetry", """{"temp":21.5}""");

        var uplink = await _inbound.NextAsync();
        Assert.Equal(("abc", "devices/abc/telemetry", """{"temp":21.5}""", 1, "/"),
            (uplink.DeviceKey, uplink.Topic, Encoding.UTF8.GetString(uplink.Payload.Span), uplink.Qos, uplink.ScopePath));
        var state = await WaitForAsync(bridge, s => s.MessagesIn == 1, "the message counted");
        Assert.Equal(0, state.Dropped);
        Assert.NotNull(state.LastMessageAt);
        Assert.NotNull(state.ConnectedSince);
    }

    [Fact]
    public async Task Messages_for_unknown_devices_or_naming_no_device_are_dropped_counted_and_said_why()
    {
        _inbound.Answer = MqttBridgeDelivery.UnknownDevice;
        var bridge = await ConnectedAsync(_broker.Settings(In($"{_site}/+/telemetry", "devices/{1}/telemetry")));

        await _broker.PublishAsync($"{_site}/nosuch/telemetry", "{}");
        Assert.Equal("nosuch", (await _inbound.NextAsync()).DeviceKey);
        var unknown = await WaitForAsync(bridge, s => s.Dropped == 1, "the unknown device's message dropped");
        Assert.Contains("no device has the key 'nosuch'", unknown.LastDrop);

        await _broker.PublishAsync($"{_site}//telemetry", "{}");
        var empty = await WaitForAsync(bridge, s => s.Dropped == 2, "the message with an empty key level dropped");
        Assert.Contains("names no device", empty.LastDrop);
        Assert.False(_inbound.TryNext(out _));
        Assert.Contains("dropped", _logs.ToString());
    }

    [Fact]
    public async Task Retained_messages_waiting_on_the_broker_are_not_taken_for_uplinks()
    {
        var (exitCode, output) = await MosquittoPub.RunToolAsync("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", _broker.Port.ToString(), "-u", MosquittoBroker.User, "-P", _broker.Password, "-t", $"{_site}/old/up", "-m", "stale", "-q", "1", "-r"]);
        Assert.True(exitCode == 0, output);

        var v311 = await ConnectedAsync(_broker.Settings(In($"{_site}/+/up", "devices/{1}/up")) with { ProtocolVersion = MqttBridgeProtocolVersion.V311 });
        var state = await WaitForAsync(v311, s => s.Dropped == 1, "the retained message dropped (MQTT 3.1.1 sends it)");
        Assert.Contains("retained", state.LastDrop);
        await _host.StopAsync(v311.Id);

        var v5 = await ConnectedAsync(_broker.Settings(In($"{_site}/+/up", "devices/{1}/up")));
        await _broker.PublishAsync($"{_site}/new/up", "fresh");
        Assert.Equal("fresh", Encoding.UTF8.GetString((await _inbound.NextAsync()).Payload.Span)); // MQTT 5: never sent, so the next is the fresh one
        Assert.Equal(0, v5.State.Dropped);
    }

    [Fact]
    public async Task A_device_message_is_published_under_every_matching_outbound_mapping_and_seen_by_mosquitto_sub()
    {
        var bridge = await ConnectedAsync(_broker.Settings(
            Out("devices/+/telemetry", $"{_site}/{{1}}/t"),
            Out("devices/+/telemetry", $"{_site}/all/{{key}}"),
            Out("devices/+/status", $"{_site}/status")));
        await using var sub = await MosquittoSub.StartAsync(_broker, $"{_site}/#");

        var topics = await bridge.PublishAsync("abc", "devices/abc/telemetry", Encoding.UTF8.GetBytes("""{"temp":7}"""), CancellationToken.None);

        Assert.Equal([$"{_site}/abc/t", $"{_site}/all/abc"], topics);
        var seen = new[] { await sub.NextMessageAsync(), await sub.NextMessageAsync() };
        Assert.Equal([$$"""{{_site}}/abc/t {"temp":7}""", $$"""{{_site}}/all/abc {"temp":7}"""], seen.Order());
        Assert.Empty(await bridge.PublishAsync("abc", "devices/abc/other", new byte[1], CancellationToken.None));
        Assert.Equal(2, bridge.State.MessagesOut);
    }

    [Fact]
    public async Task A_direct_qos1_retained_publish_returns_acknowledged_and_is_kept_by_the_broker()
    {
        var bridge = await ConnectedAsync(_broker.Settings());

        await bridge.PublishAsync($"{_site}/forwarded", Encoding.UTF8.GetBytes("42"), qos: 1, retain: true, CancellationToken.None);

        var (exitCode, output) = await MosquittoPub.RunToolAsync("mosquitto_sub",
            ["-h", "127.0.0.1", "-p", _broker.Port.ToString(), "-u", MosquittoBroker.User, "-P", _broker.Password, "-t", $"{_site}/forwarded", "-C", "1", "-W", "10", "-v"]);
        Assert.True(exitCode == 0, output);
        Assert.Equal($"{_site}/forwarded 42", output.Trim());
    }

    [Fact]
    public async Task A_topic_with_a_wildcard_is_refused_before_publishing()
    {
        var bridge = await ConnectedAsync(_broker.Settings());

        var e = await Assert.ThrowsAsync<CommunicatorException>(() => bridge.PublishAsync($"{_site}/+", new byte[1], 1, false, CancellationToken.None));

        Assert.Equal(ConnectionFailure.Protocol, e.Failure);
        Assert.Contains("wildcard", e.Message);
    }

    [Fact]
    public async Task A_qos1_message_is_acknowledged_only_once_stored_so_a_bridge_stopped_before_that_gets_it_again()
    {
        var id = Guid.NewGuid();
        var settings = _broker.Settings(In($"{_site}/+/up", "devices/{1}/up")) with { ClientId = $"ack-{Guid.NewGuid():N}"[..20] };
        _inbound.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await ConnectedAsync(settings, id);

        await _broker.PublishAsync($"{_site}/abc/up", "once");
        Assert.Equal("once", Encoding.UTF8.GetString((await _inbound.NextAsync()).Payload.Span));
        await _host.StopAsync(id); // while the message is still being stored: no PUBACK went out

        _inbound.Hold = null;
        await ConnectedAsync(settings, id); // the same client id and session: the broker sends what was not acknowledged
        var again = await _inbound.NextAsync();
        Assert.Equal(("abc", "once"), (again.DeviceKey, Encoding.UTF8.GetString(again.Payload.Span)));
    }

    [Fact]
    public async Task Messages_are_taken_in_while_earlier_ones_are_stored_and_all_are_acknowledged_once_stored()
    {
        var id = Guid.NewGuid();
        var settings = _broker.Settings(In($"{_site}/+/up", "devices/{1}/up")) with { ClientId = $"pipe-{Guid.NewGuid():N}"[..20] };
        var hold = _inbound.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bridge = await ConnectedAsync(settings, id);

        for (var i = 1; i <= 5; i++)
        {
            await _broker.PublishAsync($"{_site}/abc/up", $"m{i}");
        }

        // All five handed over, in order, while none is stored yet.
        var taken = new List<string>();
        for (var i = 0; i < 5; i++) taken.Add(Encoding.UTF8.GetString((await _inbound.NextAsync()).Payload.Span));
        Assert.Equal(["m1", "m2", "m3", "m4", "m5"], taken);

        _inbound.Hold = null;
        hold.SetResult(); // stored: each is acknowledged now
        await _host.StopAsync(id);
        await ConnectedAsync(settings, id); // the same session: had one not been acknowledged, the broker would send it again
        await _broker.PublishAsync($"{_site}/abc/up", "m6");
        Assert.Equal("m6", Encoding.UTF8.GetString((await _inbound.NextAsync()).Payload.Span));
        Assert.Equal(5, bridge.State.MessagesIn);
    }

    [Fact]
    public async Task A_message_that_could_not_be_stored_is_not_acknowledged_and_comes_again_on_a_new_connection()
    {
        var bridge = await ConnectedAsync(_broker.Settings(In($"{_site}/+/up", "devices/{1}/up")) with { ClientId = $"fail-{Guid.NewGuid():N}"[..20] });
        _inbound.FailNext = true;

        await _broker.PublishAsync($"{_site}/abc/up", "retry me");

        Assert.Equal("retry me", Encoding.UTF8.GetString((await _inbound.NextAsync()).Payload.Span));
        var again = await _inbound.NextAsync(); // after the bridge dropped the connection and reconnected (1 s)
        Assert.Equal("retry me", Encoding.UTF8.GetString(again.Payload.Span));
        await WaitForAsync(bridge, s => s.Status == MqttBridgeStatus.Connected, "connected again");
        Assert.Contains("could not be stored", _logs.ToString());
    }

    [Fact]
    public async Task A_wrong_password_keeps_the_bridge_reconnecting_with_a_credentials_error_and_no_password_anywhere()
    {
        const string wrong = "not-the-password-0815";
        var bridge = await _host.StartAsync(Guid.NewGuid(), _broker.Settings(In($"{_site}/+/up", "devices/{1}/up")), new MqttBridgeSecrets { Password = wrong });

        var state = await WaitForAsync(bridge, s => s.Status == MqttBridgeStatus.Reconnecting, "the first attempt failed");

        Assert.Equal(ConnectionFailure.Credentials, state.LastFailure);
        Assert.Contains("refused the user name or password", state.LastError);
        Assert.NotNull(state.NextAttemptAt);
        var shown = JsonSerializer.Serialize(state) + _logs;
        Assert.DoesNotContain(wrong, shown);
        Assert.DoesNotContain(_broker.Password, shown);
        var e = await Assert.ThrowsAsync<CommunicatorException>(() => bridge.PublishAsync("x/y", new byte[1], 1, false, CancellationToken.None));
        Assert.Equal(ConnectionFailure.Unavailable, e.Failure);
        Assert.Contains("is not connected (", e.Message);
    }

    [Fact]
    public async Task Settings_that_cannot_be_used_leave_the_bridge_stopped_saying_why()
    {
        var bridge = await _host.StartAsync(Guid.NewGuid(), _broker.Settings(In("a/#/b", "devices/{1}/up")), _broker.Secrets);

        Assert.Equal(MqttBridgeStatus.Stopped, bridge.State.Status);
        Assert.StartsWith("The bridge's settings are not valid: mappings[0].filter:", bridge.State.LastError);
    }

    [Fact]
    public async Task A_stopped_bridge_is_forgotten_and_says_stopped()
    {
        var bridge = await ConnectedAsync(_broker.Settings());

        Assert.True(await _host.StopAsync(bridge.Id));

        Assert.Null(_host.Get(bridge.Id));
        Assert.Equal(MqttBridgeStatus.Stopped, bridge.State.Status);
        Assert.False(await _host.StopAsync(bridge.Id));
    }
}
