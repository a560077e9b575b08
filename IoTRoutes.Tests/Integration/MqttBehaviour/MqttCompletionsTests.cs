using IoTRoutes.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTRoutes.Tests.Integration.MqttBehaviour;

/// <summary>
/// The MQTT behaviour IoTRoutes adds where MQTTnet's server falls short: message expiry, will delay,
/// DISCONNECT with will, maximum packet size, DUP on redelivery, server keep-alive and strict topic syntax.
/// </summary>
public sealed class MqttCompletionsTests(MqttBench bench) : IClassFixture<MqttBench>
{
    private readonly string _root = $"bench/{Guid.NewGuid():N}";

    private string Topic(string name) => $"{_root}/{name}";

    [Fact]
    public async Task A_queued_message_that_expired_is_dropped_and_one_still_valid_arrives_with_its_remaining_time()
    {
        var topic = Topic("expiring");
        var clientId = $"offline-{Guid.NewGuid():N}";
        Action<MqttClientOptionsBuilder> persistent = o => o.WithClientId(clientId).WithCleanSession(false).WithSessionExpiryInterval(300);
        var subscriber = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500, persistent);
        await subscriber.SubscribeGrantedAsync(topic);
        await subscriber.DisposeAsync();
        await WaitUntilGoneAsync(clientId);

        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            await publisher.Client.PublishAsync(Message(topic, "short-lived", expirySeconds: 1));
            await publisher.Client.PublishAsync(Message(topic, "long-lived", expirySeconds: 60));
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5)); // the first message's whole life, and more
        await using var back = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500, persistent);
        var delivered = await back.NextAsync();

        Assert.True(back.ConnectResult.IsSessionPresent);
        Assert.Equal("long-lived", delivered.ConvertPayloadToString());
        Assert.InRange(delivered.MessageExpiryInterval, 1u, 59u);
    }

    [Fact]
    public async Task An_expired_retained_message_is_not_sent_to_new_subscribers()
    {
        var topic = Topic("retained-expiring");
        var marker = Topic("marker");
        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            var retained = Message(topic, "stale soon", expirySeconds: 1);
            retained.Retain = true;
            await publisher.Client.PublishAsync(retained);
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await using var subscriber = await MqttPeer.ConnectAsync(bench.Port);
        await subscriber.SubscribeGrantedAsync(topic);
        await subscriber.SubscribeGrantedAsync(marker);
        await subscriber.PublishAsync(marker, "end");

        Assert.Empty(await subscriber.ReceivedBeforeAsync(marker));
    }

    [Fact]
    public async Task A_will_with_a_delay_waits_and_is_not_sent_when_the_client_comes_back_in_time()
    {
        var willTopic = Topic("delayed-will");
        var marker = Topic("marker");
        await using var watcher = await SubscribedPeerAsync(willTopic, marker);
        var clientId = $"flaky-{Guid.NewGuid():N}";
        Action<MqttClientOptionsBuilder> withWill = o => o.WithClientId(clientId).WithCleanSession(false).WithSessionExpiryInterval(60)
            .WithWillTopic(willTopic).WithWillPayload("gone for good").WithWillDelayInterval(30);
        var client = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500, withWill);

        client.Drop();
        await WaitUntilGoneAsync(clientId);
        await using var back = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500, withWill);
        await watcher.PublishAsync(marker, "end");

        Assert.Empty(await watcher.ReceivedBeforeAsync(marker));
    }

    [Fact]
    public async Task A_delayed_will_is_published_after_its_delay_when_the_client_stays_away()
    {
        var willTopic = Topic("late-will");
        var marker = Topic("marker");
        await using var watcher = await SubscribedPeerAsync(willTopic, marker);
        var clientId = $"gone-{Guid.NewGuid():N}";
        var client = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500, o => o.WithClientId(clientId).WithCleanSession(false)
            .WithSessionExpiryInterval(60).WithWillTopic(willTopic).WithWillPayload("gone").WithWillDelayInterval(1));

        client.Drop();
        await WaitUntilGoneAsync(clientId);
        await watcher.PublishAsync(marker, "right after the drop");
        var first = await watcher.NextAsync();
        var then = await watcher.NextAsync();

        Assert.Equal(marker, first.Topic); // the will was held back...
        Assert.Equal((willTopic, "gone"), (then.Topic, then.ConvertPayloadToString())); // ...and came after its delay
    }

    [Fact]
    public async Task A_disconnect_with_will_message_publishes_the_will()
    {
        var willTopic = Topic("asked-will");
        await using var watcher = await SubscribedPeerAsync(willTopic);
        var client = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500, o => o.WithWillTopic(willTopic).WithWillPayload("bye"));

        await client.Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build());
        var will = await watcher.NextAsync();

        Assert.Equal("bye", will.ConvertPayloadToString());
        client.Drop();
    }

    [Fact]
    public async Task A_message_larger_than_the_clients_maximum_packet_size_is_not_sent_to_it()
    {
        var topic = Topic("sized");
        var marker = Topic("marker");
        await using var small = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500, o => o.WithMaximumPacketSize(128));
        await small.SubscribeGrantedAsync(topic);
        await small.SubscribeGrantedAsync(marker);

        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            await publisher.PublishAsync(topic, new string('x', 1000));
            await publisher.PublishAsync(topic, "fits");
            await publisher.PublishAsync(marker, "end");
        }

        var received = await small.ReceivedBeforeAsync(marker);
        Assert.Equal(["fits"], received.Select(m => m.ConvertPayloadToString()));
    }

    [Fact]
    public async Task A_redelivered_message_carries_the_dup_flag()
    {
        var topic = Topic("redelivered");
        var clientId = $"forgetful-{Guid.NewGuid():N}";
        Action<MqttClientOptionsBuilder> persistent = o => o.WithClientId(clientId).WithCleanSession(false).WithSessionExpiryInterval(60);
        var crashing = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500, persistent);
        crashing.AcknowledgesMessages = false;
        await crashing.SubscribeGrantedAsync(topic);

        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            await publisher.PublishAsync(topic, "again");
        }

        var first = await crashing.NextAsync();
        crashing.Drop();
        await WaitUntilGoneAsync(clientId);
        await using var back = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500, persistent);
        var second = await back.NextAsync();

        Assert.False(first.Dup);
        Assert.True(second.Dup);
    }

    [Fact]
    public async Task A_keep_alive_over_the_brokers_limit_is_lowered_for_mqtt5_and_refused_for_mqtt311()
    {
        var (_, port) = await bench.CreateBrokerAsync(new Dictionary<string, object?> { ["maxKeepAliveSeconds"] = 10 });

        await using var modern = await MqttPeer.TryConnectAsync(port, MqttProtocolVersion.V500, o => o.WithKeepAlivePeriod(TimeSpan.FromSeconds(60)));
        await using var old = await MqttPeer.TryConnectAsync(port, MqttProtocolVersion.V311, o => o.WithKeepAlivePeriod(TimeSpan.FromSeconds(60)));

        Assert.Equal(MqttClientConnectResultCode.Success, modern.ConnectResult.ResultCode);
        Assert.Equal(10, modern.ConnectResult.ServerKeepAlive);
        Assert.NotEqual(MqttClientConnectResultCode.Success, old.ConnectResult.ResultCode);
    }

    [Fact]
    public async Task On_mqtt5_an_invalid_topic_filter_gets_0x8F_and_a_topic_name_with_wildcards_0x90()
    {
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);
        await raw.SendAsync(RawPackets.Connect($"raw-{Guid.NewGuid():N}", keepAliveSeconds: 30, level: 5));
        Assert.Equal(RawPackets.ConnAck, (await raw.ReadPacketAsync(MqttPeer.Patience))!.Type);

        await raw.SendAsync(RawPackets.Subscribe(1, $"{_root}/a/#/b", v5: true));
        var subAck = await raw.ReadPacketAsync(MqttPeer.Patience);
        await raw.SendAsync(RawPackets.Publish(2, $"{_root}/a/+/b", "wild", v5: true));
        var pubAck = await raw.ReadPacketAsync(MqttPeer.Patience);

        Assert.Equal(RawPackets.SubAck, subAck!.Type);
        Assert.Equal(0x8F, subAck.Body[^1]);
        Assert.Equal(RawPackets.PubAckType, pubAck!.Type);
        Assert.Equal(0x90, pubAck.Body[2]);
    }

    [Theory]
    [InlineData("subscribe")]
    [InlineData("publish")]
    public async Task On_mqtt311_an_invalid_filter_or_a_wildcard_topic_closes_the_connection(string what)
    {
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);
        await raw.SendAsync(RawPackets.Connect($"raw-{Guid.NewGuid():N}", keepAliveSeconds: 30));
        Assert.Equal(RawPackets.ConnAck, (await raw.ReadPacketAsync(MqttPeer.Patience))!.Type);

        await raw.SendAsync(what == "subscribe" ? RawPackets.Subscribe(1, $"{_root}/a+", v5: false) : RawPackets.Publish(1, $"{_root}/+", "wild", v5: false));
        var packets = await raw.PacketsUntilClosedAsync(MqttPeer.Patience);

        Assert.DoesNotContain(packets, p => p.Type is RawPackets.SubAck or RawPackets.PubAckType);
    }

    [Fact]
    public async Task On_mqtt311_a_valid_subscription_pipelined_before_an_invalid_one_still_gets_its_suback()
    {
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);
        await raw.SendAsync(RawPackets.Connect($"raw-{Guid.NewGuid():N}", keepAliveSeconds: 30));
        Assert.Equal(RawPackets.ConnAck, (await raw.ReadPacketAsync(MqttPeer.Patience))!.Type);

        await raw.SendAsync([.. RawPackets.Subscribe(1, $"{_root}/ok", v5: false), .. RawPackets.Subscribe(2, $"{_root}/a+", v5: false)]);
        var packets = await raw.PacketsUntilClosedAsync(MqttPeer.Patience);

        var subAck = Assert.Single(packets, p => p.Type == RawPackets.SubAck);
        Assert.Equal(new byte[] { 0, 1, 1 }, subAck.Body); // packet id 1, granted QoS 1
    }

    [Fact]
    public async Task On_mqtt311_a_refused_subscribe_delivers_nothing_not_even_the_retained_message_of_its_valid_filter()
    {
        var topic = $"{_root}/retained-before-refusal";
        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            await publisher.PublishAsync(topic, "retained", retain: true);
        }

        for (var attempt = 0; attempt < 5; attempt++) // the retained message raced the close: try a few times
        {
            using var raw = await RawMqttConnection.OpenAsync(bench.Port);
            await raw.SendAsync(RawPackets.Connect($"raw-{Guid.NewGuid():N}", keepAliveSeconds: 30));
            Assert.Equal(RawPackets.ConnAck, (await raw.ReadPacketAsync(MqttPeer.Patience))!.Type);

            await raw.SendAsync(RawPackets.Subscribe(1, [topic, $"{_root}/a+"], v5: false));
            var packets = await raw.PacketsUntilClosedAsync(MqttPeer.Patience);

            Assert.DoesNotContain(packets, p => p.Type is RawPackets.SubAck or RawPackets.PublishType);
        }
    }

    [Fact]
    public async Task Mqtt31_is_refused_with_unacceptable_protocol_version()
    {
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);

        await raw.SendAsync(RawPackets.Connect($"old-{Guid.NewGuid():N}", keepAliveSeconds: 30, level: 3, protocolName: "MQIsdp"));
        var packets = await raw.PacketsUntilClosedAsync(MqttPeer.Patience);

        var connAck = Assert.Single(packets, p => p.Type == RawPackets.ConnAck);
        Assert.Equal(1, connAck.Body[1]); // return code 1: unacceptable protocol version
    }

    [Fact]
    public async Task No_more_unacknowledged_messages_are_sent_than_the_clients_receive_maximum()
    {
        var topic = Topic("flow");
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);
        await raw.SendAsync(RawPackets.ConnectV5WithReceiveMaximum($"slow-{Guid.NewGuid():N}", receiveMaximum: 1));
        Assert.Equal(RawPackets.ConnAck, (await raw.ReadPacketAsync(MqttPeer.Patience))!.Type);
        await raw.SendAsync(RawPackets.Subscribe(1, topic, v5: true));
        Assert.Equal(RawPackets.SubAck, (await raw.ReadPacketAsync(MqttPeer.Patience))!.Type);

        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            await publisher.PublishAsync(topic, "1");
            await publisher.PublishAsync(topic, "2");
        }

        var first = await raw.ReadPacketAsync(MqttPeer.Patience);
        // The window of one is full until the first is acknowledged: nothing more may come meanwhile.
        await Assert.ThrowsAsync<TimeoutException>(() => raw.ReadPacketAsync(TimeSpan.FromSeconds(1)));
        await raw.SendAsync(RawPackets.PubAck(RawPackets.PacketIdOf(first!)));
        var second = await raw.ReadPacketAsync(MqttPeer.Patience);

        Assert.Equal(RawPackets.PublishType, first!.Type);
        Assert.Equal(RawPackets.PublishType, second!.Type);
    }

    [Fact]
    public async Task The_broker_uses_topic_aliases_towards_a_client_that_allows_them()
    {
        var topic = Topic("aliased/with/a/rather/long/topic/name");
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);
        await raw.SendAsync(RawPackets.ConnectV5WithTopicAliasMaximum($"alias-{Guid.NewGuid():N}", 5));
        Assert.Equal(RawPackets.ConnAck, (await raw.ReadPacketAsync(MqttPeer.Patience))!.Type);
        await raw.SendAsync(RawPackets.Subscribe(1, topic, v5: true));
        Assert.Equal(RawPackets.SubAck, (await raw.ReadPacketAsync(MqttPeer.Patience))!.Type);

        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            await publisher.PublishAsync(topic, "first", qos: MqttQualityOfServiceLevel.AtMostOnce);
            await publisher.PublishAsync(topic, "second", qos: MqttQualityOfServiceLevel.AtMostOnce);
        }

        var first = (await raw.ReadPacketAsync(MqttPeer.Patience))!;
        var second = (await raw.ReadPacketAsync(MqttPeer.Patience))!;
        Assert.Equal((topic, 1), (RawPackets.TopicOf(first), RawPackets.TopicAliasOfQos0(first)));
        Assert.Equal(("", 1), (RawPackets.TopicOf(second), RawPackets.TopicAliasOfQos0(second)));
    }

    [Fact]
    public async Task A_client_that_allows_no_topic_aliases_gets_full_topics_even_when_the_publisher_used_one()
    {
        var topic = Topic("alias-from-publisher");
        var marker = Topic("marker");
        await using var subscriber = await MqttPeer.ConnectAsync(bench.Port);
        await subscriber.SubscribeGrantedAsync(topic, MqttQualityOfServiceLevel.AtMostOnce);
        await subscriber.SubscribeGrantedAsync(marker);

        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            await publisher.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithTopicAlias(3).WithPayload("1").Build());
            await publisher.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("").WithTopicAlias(3).WithPayload("2").Build());
            await publisher.PublishAsync(marker, "end");
        }

        Assert.Equal([(topic, "1"), (topic, "2")], (await subscriber.ReceivedBeforeAsync(marker)).Select(m => (m.Topic, m.ConvertPayloadToString())));
    }

    [Fact]
    public async Task A_resumed_session_gets_its_unacknowledged_message_again_within_a_fresh_receive_window()
    {
        var topic = Topic("flow-resume");
        var clientId = $"resuming-{Guid.NewGuid():N}";
        Action<MqttClientOptionsBuilder> persistent = o => o.WithClientId(clientId).WithCleanSession(false).WithSessionExpiryInterval(60).WithReceiveMaximum(1);
        var crashing = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500, persistent);
        crashing.AcknowledgesMessages = false;
        await crashing.SubscribeGrantedAsync(topic);
        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            await publisher.PublishAsync(topic, "in flight");
        }

        Assert.Equal("in flight", (await crashing.NextAsync()).ConvertPayloadToString());
        crashing.Drop();
        await WaitUntilGoneAsync(clientId);
        await using var back = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500, persistent);
        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            await publisher.PublishAsync(topic, "after");
        }

        // The old connection's window (full, with a packet id that no longer exists) must not block the new one.
        Assert.Equal("in flight", (await back.NextAsync()).ConvertPayloadToString());
        Assert.Equal("after", (await back.NextAsync()).ConvertPayloadToString());
    }

    [Fact]
    public async Task Topic_aliases_of_an_earlier_connection_are_not_used_on_a_resumed_session()
    {
        var topic = Topic("alias-resume");
        var marker = Topic("marker");
        var clientId = $"alias-resume-{Guid.NewGuid():N}";
        using (var raw = await RawMqttConnection.OpenAsync(bench.Port))
        {
            await raw.SendAsync(RawPackets.ConnectV5WithTopicAliasMaximum(clientId, 5, persistent: true));
            Assert.Equal(RawPackets.ConnAck, (await raw.ReadPacketAsync(MqttPeer.Patience))!.Type);
            await raw.SendAsync(RawPackets.Subscribe(1, topic, v5: true));
            Assert.Equal(RawPackets.SubAck, (await raw.ReadPacketAsync(MqttPeer.Patience))!.Type);
            await using var publisher = await MqttPeer.ConnectAsync(bench.Port);
            await publisher.PublishAsync(topic, "aliased", qos: MqttQualityOfServiceLevel.AtMostOnce);
            Assert.Equal(1, RawPackets.TopicAliasOfQos0((await raw.ReadPacketAsync(MqttPeer.Patience))!));
        }

        await WaitUntilGoneAsync(clientId);
        await using var back = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500,
            o => o.WithClientId(clientId).WithCleanSession(false).WithSessionExpiryInterval(60));
        await back.SubscribeGrantedAsync(marker);
        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            await publisher.PublishAsync(topic, "full topic", qos: MqttQualityOfServiceLevel.AtMostOnce);
            await publisher.PublishAsync(marker, "end");
        }

        Assert.True(back.ConnectResult.IsSessionPresent);
        Assert.Equal([(topic, "full topic")], (await back.ReceivedBeforeAsync(marker)).Select(m => (m.Topic, m.ConvertPayloadToString())));
    }

    [Fact]
    public async Task A_clean_start_leaves_the_shared_subscriptions_of_the_old_session()
    {
        var topic = Topic("shared-clean");
        var marker = Topic("marker");
        var clientId = $"member-{Guid.NewGuid():N}";
        await using (var member = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500,
            o => o.WithClientId(clientId).WithCleanSession(false).WithSessionExpiryInterval(60)))
        {
            await member.SubscribeGrantedAsync($"$share/once/{topic}");
        }

        await WaitUntilGoneAsync(clientId);
        await using var fresh = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V500, o => o.WithClientId(clientId).WithCleanSession(true));
        await fresh.SubscribeGrantedAsync(marker);
        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            await publisher.PublishAsync(topic, "not for the new session");
            await publisher.PublishAsync(marker, "end");
        }

        Assert.Empty(await fresh.ReceivedBeforeAsync(marker));
    }

    [Fact]
    public async Task A_payload_over_the_brokers_limit_from_an_anonymous_client_is_refused_with_quota_exceeded()
    {
        var (_, port) = await bench.CreateBrokerAsync(new Dictionary<string, object?> { ["maxPayloadBytes"] = 100 });
        await using var peer = await MqttPeer.ConnectAsync(port);

        var small = await peer.PublishAsync(Topic("small"), new string('x', 100));
        var large = await peer.PublishAsync(Topic("large"), new string('x', 101));

        Assert.NotEqual(MqttClientPublishReasonCode.QuotaExceeded, small.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, large.ReasonCode);
    }

    private static MqttApplicationMessage Message(string topic, string payload, uint expirySeconds) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithMessageExpiryInterval(expirySeconds).Build();

    private async Task<MqttPeer> SubscribedPeerAsync(params string[] filters)
    {
        var peer = await MqttPeer.ConnectAsync(bench.Port);
        foreach (var filter in filters)
        {
            await peer.SubscribeGrantedAsync(filter);
        }

        return peer;
    }

    private Task WaitUntilGoneAsync(string clientId) =>
        Eventually.GetAsync(async () => (await bench.ClientIdsAsync(bench.BrokerId)).Contains(clientId) ? null : "gone", $"{clientId} to be disconnected");
}
