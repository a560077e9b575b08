using System.Diagnostics;
using System.Text;
using IoTRoutes.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IoTRoutes.Tests.Integration.MqttBehaviour;

/// <summary>
/// The platform's brokers against MQTT 3.1.1 and 5.0 as the specifications word them, with real peers:
/// mosquitto_sub / mosquitto_pub, MQTTnet clients, and raw sockets for what no proper client sends.
/// General publish/subscribe runs on the anonymous test-bench broker; device rules on the default broker.
/// </summary>
public sealed class MqttSpecBehaviourTests(MqttBench bench) : IClassFixture<MqttBench>
{
    private readonly string _root = $"bench/{Guid.NewGuid():N}";

    private string Topic(string name) => $"{_root}/{name}";

    // --- Retained messages (3.1.1 §3.3.1.3, 5.0 §3.3.1.3) ---

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task A_retained_message_reaches_a_later_subscriber_with_the_retain_flag(string protocol)
    {
        var topic = Topic("retained");
        await PublishWithMosquittoAsync(protocol, "-t", topic, "-m", "kept", "-r", "-q", "1");

        using var sub = Mosquitto.Sub(bench.Port, "-V", protocol, "-t", topic, "-C", "1", "-W", "10", "-F", "MSG %r %t %p");
        var (exitCode, output) = await sub.ExitAsync();

        Assert.True(exitCode == 0, $"mosquitto_sub failed ({exitCode}): {output}");
        Assert.Contains($"MSG 1 {topic} kept", output);
        await ClearRetainedAsync(topic);
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task An_empty_retained_payload_clears_the_retained_message(string protocol)
    {
        var topic = Topic("cleared");
        var marker = Topic("marker");
        await PublishWithMosquittoAsync(protocol, "-t", topic, "-m", "soon gone", "-r", "-q", "1");
        await PublishWithMosquittoAsync(protocol, "-t", topic, "-n", "-r", "-q", "1");

        using var sub = Mosquitto.Sub(bench.Port, "-V", protocol, "-t", topic, "-t", marker, "-q", "1", "-F", "MSG %r %t %p");
        await sub.WaitUntilSubscribedAsync();
        await PublishWithMosquittoAsync(protocol, "-t", marker, "-m", "end", "-q", "1");
        await sub.WaitForLineAsync(line => line == $"MSG 0 {marker} end", "the marker");

        Assert.DoesNotContain($"MSG 1 {topic}", sub.Output);
    }

    // --- Will messages (3.1.1 §3.1.2.5, 5.0 §3.1.2.5) ---

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task A_will_is_published_when_the_client_drops_its_connection_without_disconnect(MqttProtocolVersion version)
    {
        var willTopic = Topic("will");
        await using var watcher = await SubscribedPeerAsync(willTopic);
        var client = await MqttPeer.ConnectAsync(bench.Port, version, o => o.WithWillTopic(willTopic).WithWillPayload("gone").WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));

        client.Drop();
        var will = await watcher.NextAsync();

        Assert.Equal(willTopic, will.Topic);
        Assert.Equal("gone", will.ConvertPayloadToString());
    }

    [Fact]
    public async Task A_killed_mosquitto_sub_has_its_will_published()
    {
        var willTopic = Topic("mosquitto-will");
        await using var watcher = await SubscribedPeerAsync(willTopic);
        using var sub = Mosquitto.Sub(bench.Port, "-V", "mqttv311", "-t", Topic("anything"), "--will-topic", willTopic, "--will-payload", "killed", "--will-qos", "1");
        await sub.WaitUntilSubscribedAsync();

        sub.Kill();
        var will = await watcher.NextAsync();

        Assert.Equal(willTopic, will.Topic);
        Assert.Equal("killed", will.ConvertPayloadToString());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task No_will_is_published_after_a_clean_disconnect(MqttProtocolVersion version)
    {
        var willTopic = Topic("will");
        var marker = Topic("marker");
        await using var watcher = await SubscribedPeerAsync(willTopic, marker);
        var clientId = $"leaving-{Guid.NewGuid():N}";
        var client = await MqttPeer.ConnectAsync(bench.Port, version, o => o.WithClientId(clientId).WithWillTopic(willTopic).WithWillPayload("gone"));

        await client.DisposeAsync();
        await WaitUntilGoneAsync(bench.BrokerId, clientId);
        await watcher.PublishAsync(marker, "end");

        Assert.Empty(await watcher.ReceivedBeforeAsync(marker));
    }

    // --- Sessions (3.1.1 §3.1.2.4, 5.0 §3.1.2.4 and §3.1.2.11.2) ---

    [Fact]
    public async Task A_persistent_mqtt311_session_gets_the_qos1_messages_published_while_it_was_offline()
    {
        var topic = Topic("queued");
        var clientId = $"persistent-{Guid.NewGuid():N}";
        await SubscribeAndLeaveWithMosquittoAsync(clientId, topic, persistent: true);

        await PublishWithMosquittoAsync("mqttv311", "-t", topic, "-m", "first", "-q", "1");
        await PublishWithMosquittoAsync("mqttv311", "-t", topic, "-m", "second", "-q", "1");
        using var back = Mosquitto.Sub(bench.Port, "-V", "mqttv311", "-c", "-i", clientId, "-q", "1", "-t", topic, "-C", "2", "-W", "10", "-F", "MSG %q %t %p");
        var (exitCode, output) = await back.ExitAsync();

        Assert.True(exitCode == 0, $"mosquitto_sub failed ({exitCode}): {output}");
        var messages = MessageLines(output);
        Assert.Equal([$"MSG 1 {topic} first", $"MSG 1 {topic} second"], messages);
    }

    [Fact]
    public async Task A_clean_mqtt311_session_gets_nothing_published_while_it_was_offline()
    {
        var topic = Topic("not-queued");
        var clientId = $"clean-{Guid.NewGuid():N}";
        await SubscribeAndLeaveWithMosquittoAsync(clientId, topic, persistent: false);

        await PublishWithMosquittoAsync("mqttv311", "-t", topic, "-m", "missed", "-q", "1");
        using var back = Mosquitto.Sub(bench.Port, "-V", "mqttv311", "-i", clientId, "-q", "1", "-t", topic, "-F", "MSG %q %t %p");
        await back.WaitUntilSubscribedAsync();
        await PublishWithMosquittoAsync("mqttv311", "-t", topic, "-m", "live", "-q", "1");
        await back.WaitForLineAsync(line => line.EndsWith(" live", StringComparison.Ordinal), "the live message");

        Assert.Equal([$"MSG 1 {topic} live"], MessageLines(back.Output));
    }

    [Fact]
    public async Task An_mqtt5_session_within_its_expiry_interval_is_resumed_with_its_queued_messages()
    {
        var topic = Topic("resumed");
        var clientId = $"expiring-{Guid.NewGuid():N}";
        await LeaveSessionAsync(clientId, topic, expirySeconds: 60);

        var queued = await PublishFromNewPeerAsync(topic, "while away");
        await using var back = await MqttPeer.ConnectAsync(bench.Port, configure: o => o.WithClientId(clientId).WithCleanStart(false).WithSessionExpiryInterval(60));
        var message = await back.NextAsync();

        Assert.Equal(MqttClientPublishReasonCode.Success, queued.ReasonCode);
        Assert.True(back.ConnectResult.IsSessionPresent);
        Assert.Equal("while away", message.ConvertPayloadToString());
    }

    [Fact]
    public async Task An_mqtt5_session_is_discarded_with_its_queued_messages_once_its_expiry_interval_has_passed()
    {
        var topic = Topic("expired");
        var marker = Topic("marker");
        var clientId = $"expiring-{Guid.NewGuid():N}";
        await LeaveSessionAsync(clientId, topic, expirySeconds: 2);
        var leftAt = Stopwatch.StartNew();

        var queued = await PublishFromNewPeerAsync(topic, "while away");
        await Task.Delay(TimeSpan.FromSeconds(5) - leftAt.Elapsed);
        await using var back = await MqttPeer.ConnectAsync(bench.Port, configure: o => o.WithClientId(clientId).WithCleanStart(false).WithSessionExpiryInterval(60));
        await back.SubscribeGrantedAsync(topic);
        await back.SubscribeGrantedAsync(marker);
        await back.PublishAsync(marker, "end");

        Assert.Equal(MqttClientPublishReasonCode.Success, queued.ReasonCode);
        Assert.False(back.ConnectResult.IsSessionPresent);
        Assert.Empty(await back.ReceivedBeforeAsync(marker));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task An_unacknowledged_qos1_message_is_sent_again_when_the_session_resumes(MqttProtocolVersion version)
    {
        var topic = Topic("unacknowledged");
        var clientId = $"forgetful-{Guid.NewGuid():N}";
        Action<MqttClientOptionsBuilder> persistent = o => o.WithClientId(clientId).WithCleanSession(false).WithSessionExpiryInterval(60);
        var crashing = await MqttPeer.ConnectAsync(bench.Port, version, persistent);
        crashing.AcknowledgesMessages = false;
        await crashing.SubscribeGrantedAsync(topic);

        await PublishFromNewPeerAsync(topic, "process me");
        var unacknowledged = await crashing.NextAsync();
        crashing.Drop();
        await WaitUntilGoneAsync(bench.BrokerId, clientId);
        await using var back = await MqttPeer.ConnectAsync(bench.Port, version, persistent);
        var again = await back.NextAsync();

        Assert.Equal("process me", unacknowledged.ConvertPayloadToString());
        Assert.True(back.ConnectResult.IsSessionPresent);
        Assert.Equal((topic, "process me", MqttQualityOfServiceLevel.AtLeastOnce), (again.Topic, again.ConvertPayloadToString(), again.QualityOfServiceLevel));
    }

    [Fact]
    public async Task An_mqtt5_client_may_shorten_its_session_expiry_when_it_disconnects()
    {
        var topic = Topic("shortened");
        var clientId = $"shortening-{Guid.NewGuid():N}";
        var peer = await MqttPeer.ConnectAsync(bench.Port, configure: o => o.WithClientId(clientId).WithCleanStart().WithSessionExpiryInterval(60));
        await peer.SubscribeGrantedAsync(topic);

        await peer.Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(1).Build());
        peer.Client.Dispose();
        await WaitUntilGoneAsync(bench.BrokerId, clientId);
        await Task.Delay(TimeSpan.FromSeconds(4));
        await using var back = await MqttPeer.ConnectAsync(bench.Port, configure: o => o.WithClientId(clientId).WithCleanStart(false).WithSessionExpiryInterval(60));

        Assert.False(back.ConnectResult.IsSessionPresent);
    }

    [Fact]
    public async Task A_second_connection_with_the_same_client_id_takes_over_the_session_and_mqtt5_is_told_why()
    {
        var clientId = $"twin-{Guid.NewGuid():N}";
        await using var first = await MqttPeer.ConnectAsync(bench.Port, configure: o => o.WithClientId(clientId));

        await using var second = await MqttPeer.ConnectAsync(bench.Port, configure: o => o.WithClientId(clientId));
        var dropped = await first.Disconnected.WaitAsync(MqttPeer.Patience);

        Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, dropped.Reason);
        Assert.True(second.Client.IsConnected);
        Assert.Equal([clientId], (await bench.ClientIdsAsync(bench.BrokerId)).Where(id => id == clientId));
    }

    [Fact]
    public async Task A_second_mqtt311_connection_with_the_same_client_id_closes_the_first()
    {
        var clientId = $"twin-{Guid.NewGuid():N}";
        var topic = Topic("twin");
        await using var first = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V311, o => o.WithClientId(clientId));

        await using var second = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V311, o => o.WithClientId(clientId));
        await first.Disconnected.WaitAsync(MqttPeer.Patience);
        await second.SubscribeGrantedAsync(topic);
        await second.PublishAsync(topic, "still here");

        Assert.False(first.Client.IsConnected);
        Assert.Equal("still here", (await second.NextAsync()).ConvertPayloadToString());
    }

    // --- Delivery ---

    [Fact]
    public async Task A_qos2_message_is_delivered_once_at_qos2()
    {
        var topic = Topic("qos2");
        var marker = Topic("marker");
        await using var subscriber = await MqttPeer.ConnectAsync(bench.Port);
        await subscriber.SubscribeGrantedAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        await subscriber.SubscribeGrantedAsync(marker);
        await using var publisher = await MqttPeer.ConnectAsync(bench.Port);

        var published = await publisher.PublishAsync(topic, "exactly once", qos: MqttQualityOfServiceLevel.ExactlyOnce);
        await publisher.PublishAsync(marker, "end");
        var received = Assert.Single(await subscriber.ReceivedBeforeAsync(marker));

        Assert.Equal(MqttClientPublishReasonCode.Success, published.ReasonCode);
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, received.QualityOfServiceLevel);
        Assert.Equal("exactly once", received.ConvertPayloadToString());
    }

    [Fact]
    public async Task A_topic_alias_set_by_the_publisher_stands_for_its_topic_in_later_publishes()
    {
        var topic = Topic("aliased");
        await using var subscriber = await SubscribedPeerAsync(topic);
        await using var publisher = await MqttPeer.ConnectAsync(bench.Port);

        await publisher.Client.PublishAsync(AliasedMessage(topic, 3, "named"));
        var aliasOnly = await publisher.Client.PublishAsync(AliasedMessage("", 3, "by alias"));
        var first = await subscriber.NextAsync();
        var second = await subscriber.NextAsync();

        Assert.True(publisher.ConnectResult.TopicAliasMaximum >= 3, $"the broker allows {publisher.ConnectResult.TopicAliasMaximum} topic aliases");
        Assert.Equal(MqttClientPublishReasonCode.Success, aliasOnly.ReasonCode);
        Assert.Equal([(topic, "named"), (topic, "by alias")], new[] { first, second }.Select(m => (m.Topic, m.ConvertPayloadToString())));
    }

    // --- Topic matching (3.1.1 §4.7, 5.0 §4.7) ---

    [Fact]
    public async Task Wildcard_filters_at_the_first_level_do_not_match_topics_starting_with_a_dollar()
    {
        var dollarTopic = $"$bench{Guid.NewGuid():N}/x";
        var marker = Topic("marker");
        await using var wildcards = await SubscribedPeerAsync("#", "+/x");
        await using var explicitly = await SubscribedPeerAsync(dollarTopic);
        await using var publisher = await MqttPeer.ConnectAsync(bench.Port);

        var published = await publisher.PublishAsync(dollarTopic, "reserved");
        var received = await explicitly.NextAsync();
        await publisher.PublishAsync(marker, "end");
        var beforeMarker = await wildcards.ReceivedBeforeAsync(marker);

        Assert.Equal(MqttClientPublishReasonCode.Success, published.ReasonCode);
        Assert.Equal(dollarTopic, received.Topic);
        Assert.DoesNotContain(beforeMarker, m => m.Topic == dollarTopic);
    }

    [Fact]
    public async Task Overlapping_subscriptions_on_mqtt5_deliver_the_message_with_every_matching_subscription_identifier()
    {
        var marker = Topic("marker");
        await using var peer = await MqttPeer.ConnectAsync(bench.Port);
        await SubscribeWithIdentifierAsync(peer, $"{_root}/#", 1);
        await SubscribeWithIdentifierAsync(peer, $"{_root}/+", 2);

        await peer.PublishAsync(Topic("x"), "once");
        await peer.PublishAsync(marker, "end");
        var copies = await peer.ReceivedBeforeAsync(marker);

        Assert.All(copies, c => Assert.Equal(Topic("x"), c.Topic));
        if (copies.Count == 1)
        {
            Assert.Equal([1u, 2u], copies[0].SubscriptionIdentifiers.Order());
        }
        else
        {
            Assert.Equal(2, copies.Count);
            Assert.Equal([1u, 2u], copies.SelectMany(c => c.SubscriptionIdentifiers).Order());
        }
    }

    [Fact]
    public async Task Overlapping_subscriptions_on_mqtt311_deliver_the_message_at_the_highest_granted_qos()
    {
        var marker = Topic("marker");
        await using var peer = await MqttPeer.ConnectAsync(bench.Port, MqttProtocolVersion.V311);
        await peer.SubscribeGrantedAsync($"{_root}/#", MqttQualityOfServiceLevel.AtMostOnce);
        await peer.SubscribeGrantedAsync($"{_root}/+", MqttQualityOfServiceLevel.AtLeastOnce);

        await peer.PublishAsync(Topic("x"), "qos1");
        await peer.PublishAsync(marker, "end");
        var copies = await peer.ReceivedBeforeAsync(marker);

        Assert.InRange(copies.Count, 1, 2);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, copies.Max(c => c.QualityOfServiceLevel));
    }

    [Fact]
    public async Task After_unsubscribe_no_more_messages_arrive_and_unsubscribing_twice_says_no_subscription_existed()
    {
        var topic = Topic("unsubscribed");
        var marker = Topic("marker");
        await using var peer = await SubscribedPeerAsync(topic, marker);
        await peer.PublishAsync(topic, "before");
        var before = await peer.NextAsync();

        var unsubscribed = await peer.Client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(topic).Build());
        var again = await peer.Client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(topic).Build());
        await peer.PublishAsync(topic, "after");
        await peer.PublishAsync(marker, "end");

        Assert.Equal("before", before.ConvertPayloadToString());
        Assert.Equal(MqttClientUnsubscribeResultCode.Success, Assert.Single(unsubscribed.Items).ResultCode);
        Assert.Equal(MqttClientUnsubscribeResultCode.NoSubscriptionExisted, Assert.Single(again.Items).ResultCode);
        Assert.Empty(await peer.ReceivedBeforeAsync(marker));
    }

    // --- MQTT 5 subscription options (5.0 §3.8.3.1) ---

    [Fact]
    public async Task A_no_local_subscription_does_not_get_the_clients_own_messages_back()
    {
        var topic = Topic("no-local");
        var marker = Topic("marker");
        await using var peer = await MqttPeer.ConnectAsync(bench.Port);
        await peer.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(topic).WithNoLocal().WithAtLeastOnceQoS()).Build());
        await peer.SubscribeGrantedAsync(marker);
        await using var other = await MqttPeer.ConnectAsync(bench.Port);

        await peer.PublishAsync(topic, "own");
        await other.PublishAsync(topic, "other's");
        await peer.PublishAsync(marker, "end");

        Assert.Equal(["other's"], (await peer.ReceivedBeforeAsync(marker)).Select(m => m.ConvertPayloadToString()));
    }

    [Fact]
    public async Task Retain_as_published_keeps_the_retain_flag_on_live_messages_which_otherwise_arrive_without_it()
    {
        var topic = Topic("rap");
        await using var asPublished = await MqttPeer.ConnectAsync(bench.Port);
        await asPublished.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(topic).WithRetainAsPublished().WithAtLeastOnceQoS()).Build());
        await using var plain = await SubscribedPeerAsync(topic);
        await using var publisher = await MqttPeer.ConnectAsync(bench.Port);

        await publisher.PublishAsync(topic, "live and retained", retain: true);

        Assert.True((await asPublished.NextAsync()).Retain);
        Assert.False((await plain.NextAsync()).Retain);
        await ClearRetainedAsync(topic);
    }

    [Theory]
    [InlineData(MqttRetainHandling.SendAtSubscribe, 2)]
    [InlineData(MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly, 1)]
    [InlineData(MqttRetainHandling.DoNotSendOnSubscribe, 0)]
    public async Task Retain_handling_decides_whether_retained_messages_are_sent_on_subscribe(MqttRetainHandling handling, int expectedCopies)
    {
        var topic = Topic("retain-handling");
        var marker = Topic("marker");
        await using var publisher = await MqttPeer.ConnectAsync(bench.Port);
        await publisher.PublishAsync(topic, "retained", retain: true);
        await using var peer = await SubscribedPeerAsync(marker);
        var subscribe = new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(topic).WithRetainHandling(handling).WithAtLeastOnceQoS()).Build();

        await peer.Client.SubscribeAsync(subscribe);
        await peer.Client.SubscribeAsync(subscribe);
        await peer.PublishAsync(marker, "end");
        var received = await peer.ReceivedBeforeAsync(marker);

        Assert.Equal(expectedCopies, received.Count);
        Assert.All(received, m => Assert.True(m.Retain));
        await ClearRetainedAsync(topic);
    }

    [Fact]
    public async Task A_shared_subscription_gives_each_message_to_one_member_in_turn_and_the_connack_announces_it()
    {
        var topic = Topic("shared");
        var marker = Topic("marker");
        await using var first = await MqttPeer.ConnectAsync(bench.Port);
        await using var second = await MqttPeer.ConnectAsync(bench.Port);
        await using var everything = await SubscribedPeerAsync(topic, marker);
        foreach (var member in new[] { first, second })
        {
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await member.SubscribeAsync($"$share/workers/{topic}"));
            await member.SubscribeGrantedAsync(marker);
        }

        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            foreach (var n in Enumerable.Range(1, 4))
            {
                await publisher.PublishAsync(topic, n.ToString());
            }

            await publisher.PublishAsync(marker, "end");
        }

        var toFirst = (await first.ReceivedBeforeAsync(marker)).Select(m => m.ConvertPayloadToString()).ToList();
        var toSecond = (await second.ReceivedBeforeAsync(marker)).Select(m => m.ConvertPayloadToString()).ToList();
        Assert.True(first.ConnectResult.SharedSubscriptionAvailable);
        Assert.Equal(["1", "2", "3", "4"], toFirst.Concat(toSecond).Order());
        Assert.Equal(2, toFirst.Count); // taking turns
        Assert.Equal(4, (await everything.ReceivedBeforeAsync(marker)).Count); // an ordinary subscription still gets every message
    }

    [Fact]
    public async Task A_member_that_unsubscribes_from_a_shared_subscription_gets_no_more_of_its_messages()
    {
        var topic = Topic("shared-leaving");
        var marker = Topic("marker");
        await using var staying = await MqttPeer.ConnectAsync(bench.Port);
        await using var leaving = await MqttPeer.ConnectAsync(bench.Port);
        foreach (var member in new[] { staying, leaving })
        {
            await member.SubscribeGrantedAsync($"$share/pool/{topic}");
            await member.SubscribeGrantedAsync(marker);
        }

        var unsubscribed = await leaving.Client.UnsubscribeAsync($"$share/pool/{topic}");
        await using (var publisher = await MqttPeer.ConnectAsync(bench.Port))
        {
            await publisher.PublishAsync(topic, "a");
            await publisher.PublishAsync(topic, "b");
            await publisher.PublishAsync(marker, "end");
        }

        Assert.Equal(MqttClientUnsubscribeResultCode.Success, Assert.Single(unsubscribed.Items).ResultCode);
        Assert.Equal(["a", "b"], (await staying.ReceivedBeforeAsync(marker)).Select(m => m.ConvertPayloadToString()));
        Assert.Empty(await leaving.ReceivedBeforeAsync(marker));
    }

    [Fact]
    public async Task Mosquitto_sub_receives_through_a_shared_subscription()
    {
        var topic = Topic("shared-mosquitto");
        using var sub = Mosquitto.Sub(bench.Port, "-V", "mqttv5", "-t", $"$share/tools/{topic}", "-C", "1");
        await sub.WaitUntilSubscribedAsync();

        await PublishFromNewPeerAsync(topic, "for one of the tools");

        var (exitCode, output) = await sub.ExitAsync();
        Assert.True(exitCode == 0, output);
        Assert.Contains("for one of the tools", output);
    }

    [Fact]
    public async Task A_malformed_shared_subscription_is_refused_as_an_invalid_filter()
    {
        await using var peer = await MqttPeer.ConnectAsync(bench.Port);

        var code = await peer.SubscribeAsync("$share/group-without-filter");

        Assert.Equal(MqttClientSubscribeResultCode.TopicFilterInvalid, code);
    }

    // --- MQTT 5 request/response and properties (5.0 §3.3.2.3, §4.10) ---

    [Fact]
    public async Task Request_response_properties_reach_the_subscriber_unchanged_and_the_reply_finds_its_way_back()
    {
        var requestTopic = Topic("request");
        var responseTopic = Topic("response");
        var correlation = Guid.NewGuid().ToByteArray();
        await using var responder = await SubscribedPeerAsync(requestTopic);
        await using var requester = await SubscribedPeerAsync(responseTopic);

        await requester.Client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(requestTopic)
            .WithPayload("""{"ask":1}""")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithResponseTopic(responseTopic)
            .WithCorrelationData(correlation)
            .WithContentType("application/json")
            .WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData)
            .WithUserProperty("trace", Encoding.UTF8.GetBytes("a"))
            .WithUserProperty("trace", Encoding.UTF8.GetBytes("b"))
            .WithUserProperty("unit", Encoding.UTF8.GetBytes("°C"))
            .Build());
        var request = await responder.NextAsync();
        await responder.Client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(request.ResponseTopic)
            .WithPayload("""{"answer":42}""")
            .WithCorrelationData(request.CorrelationData)
            .Build());
        var response = await requester.NextAsync();

        Assert.Equal("""{"ask":1}""", request.ConvertPayloadToString());
        Assert.Equal(responseTopic, request.ResponseTopic);
        Assert.Equal(correlation, request.CorrelationData);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal(MqttPayloadFormatIndicator.CharacterData, request.PayloadFormatIndicator);
        Assert.Equal([("trace", "a"), ("trace", "b"), ("unit", "°C")], request.UserProperties.Select(p => (p.Name, p.ReadValueAsString())));
        Assert.Equal(correlation, response.CorrelationData);
        Assert.Equal("""{"answer":42}""", response.ConvertPayloadToString());
    }

    // --- Client identifiers (3.1.1 §3.1.3.1, 5.0 §3.1.3.1) ---

    [Fact]
    public async Task Mosquitto_pub_without_a_client_id_is_accepted_on_mqtt311_with_a_clean_session()
    {
        var topic = Topic("no-id");
        await using var watcher = await SubscribedPeerAsync(topic);

        var (exitCode, output) = await Mosquitto.PublishAsync(bench.Port, "-V", "mqttv311", "-t", topic, "-m", "anonymous id", "-q", "1");
        var message = await watcher.NextAsync();

        Assert.Contains("Client (null) sending CONNECT", output);
        Assert.True(exitCode == 0, $"mosquitto_pub failed ({exitCode}): {output}");
        Assert.Equal("anonymous id", message.ConvertPayloadToString());
    }

    [Fact]
    public async Task An_empty_client_id_without_a_clean_session_is_refused_on_mqtt311_with_identifier_rejected()
    {
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);

        await raw.SendAsync(RawPackets.Connect("", keepAliveSeconds: 30, cleanSession: false));
        var connAck = await raw.ReadPacketAsync(MqttPeer.Patience);

        Assert.NotNull(connAck);
        Assert.Equal(RawPackets.ConnAck, connAck.Type);
        Assert.Equal([0x00, 0x02], connAck.Body);
        Assert.Empty(await raw.PacketsUntilClosedAsync(MqttPeer.Patience));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    public async Task An_unsupported_protocol_level_gets_connack_0x01_and_the_connection_closes(byte level)
    {
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);

        await raw.SendAsync(RawPackets.Connect($"level-{level}", keepAliveSeconds: 30, level: level));
        var connAck = await raw.ReadPacketAsync(MqttPeer.Patience);

        Assert.Equal(RawPackets.ConnAck, connAck!.Type);
        Assert.Equal([0x00, 0x01], connAck.Body);
        Assert.Empty(await raw.PacketsUntilClosedAsync(MqttPeer.Patience));
    }

    [Fact]
    public async Task An_empty_client_id_on_mqtt5_is_given_an_assigned_client_identifier()
    {
        await using var peer = await MqttPeer.ConnectAsync(bench.Port, configure: o => o.WithClientId(""));

        var assigned = peer.ConnectResult.AssignedClientIdentifier;

        Assert.False(string.IsNullOrEmpty(assigned));
        Assert.Contains(assigned, await bench.ClientIdsAsync(bench.BrokerId));
    }

    // --- Authorization of subscriptions (3.1.1 §3.9.3, 5.0 §3.9.3) ---

    [Fact]
    public async Task A_device_subscribing_to_another_devices_topic_gets_failure_0x80_on_mqtt311()
    {
        var device = await bench.CreateDeviceAsync("Curious sensor");
        var other = await bench.CreateDeviceAsync("Private sensor");

        using var sub = Mosquitto.Sub(bench.DevicePort, "-V", "mqttv311", "-u", device.Key, "-P", device.Secret, "-t", $"devices/{other.Key}/commands/#", "-q", "1");
        var (_, output) = await sub.ExitAsync();

        Assert.Contains("Subscribed (mid: 1): 128", output);
        Assert.Contains("All subscription requests were denied.", output);
    }

    [Fact]
    public async Task A_device_subscribing_to_another_devices_topic_gets_not_authorized_on_mqtt5()
    {
        var device = await bench.CreateDeviceAsync("Curious sensor 5");
        var other = await bench.CreateDeviceAsync("Private sensor 5");
        using var client = await Mqtt.ConnectAsync(bench.DevicePort, device.Key, device.Secret);

        var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter($"devices/{other.Key}/commands/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter($"devices/{device.Key}/commands/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        Assert.Equal(
            [MqttClientSubscribeResultCode.NotAuthorized, MqttClientSubscribeResultCode.GrantedQoS1],
            result.Items.Select(i => i.ResultCode));
    }

    [Fact]
    public async Task A_brokers_denied_subscriptions_refuse_the_filters_inside_them_and_grant_broader_ones()
    {
        var (_, port) = await bench.CreateBrokerAsync(new() { ["deniedSubscriptions"] = new[] { "secret/#" } });
        await using var peer = await MqttPeer.ConnectAsync(port);

        var result = await peer.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("secret/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("secret/plans", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("+/plans", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("public/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        Assert.Equal(
            ["secret/#", "secret/plans", "#", "+/plans", "public/#"],
            result.Items.Select(i => i.TopicFilter.Topic));
        Assert.Equal(
            [MqttClientSubscribeResultCode.NotAuthorized, MqttClientSubscribeResultCode.NotAuthorized, .. Enumerable.Repeat(MqttClientSubscribeResultCode.GrantedQoS1, 3)],
            result.Items.Select(i => i.ResultCode));
    }

    [Fact]
    public async Task A_brokers_denied_subscription_is_refused_to_mosquitto_sub_on_mqtt311()
    {
        var (_, port) = await bench.CreateBrokerAsync(new() { ["deniedSubscriptions"] = new[] { "secret/#" } });

        using var sub = Mosquitto.Sub(port, "-V", "mqttv311", "-t", "secret/plans");
        var (_, output) = await sub.ExitAsync();

        Assert.Contains("Subscribed (mid: 1): 128", output);
        Assert.Contains("All subscription requests were denied.", output);
    }

    // --- Keep alive (3.1.1 §3.1.2.10, 5.0 §3.1.2.10) ---

    [Fact]
    public async Task A_silent_client_is_disconnected_after_one_and_a_half_keep_alives_while_a_pinging_one_stays()
    {
        var silent = SilentConnectionAsync(level: 4);
        var pinging = PingingConnectionAsync(keepAliveSeconds: 2, duration: TimeSpan.FromSeconds(4));

        var (silentElapsed, silentPackets) = await silent;
        var pongs = await pinging;

        Assert.Equal([RawPackets.ConnAck], silentPackets.Select(p => p.Type));
        Assert.True(silentElapsed >= TimeSpan.FromSeconds(1.4), $"closed after {silentElapsed.TotalSeconds:0.0} s, before 1.5 x keep-alive");
        Assert.True(pongs >= 3, $"only {pongs} PINGRESPs");
    }

    [Fact]
    public async Task On_mqtt5_a_keep_alive_timeout_is_announced_with_disconnect_0x8D()
    {
        var (_, packets) = await SilentConnectionAsync(level: 5);

        Assert.Equal([RawPackets.ConnAck, RawPackets.Disconnect], packets.Select(p => p.Type));
        Assert.Equal(0x8D, packets[1].Body[0]);
    }

    // --- Robustness ---

    [Fact]
    public async Task Connection_attempts_over_the_brokers_limit_are_refused_with_quota_exceeded()
    {
        var codes = await ConnectFourTimesWithinOneMinuteAsync(maxAttemptsPerMinute: 3);
        await using var elsewhere = await MqttPeer.TryConnectAsync(bench.Port);

        Assert.Equal(
            [MqttClientConnectResultCode.Success, MqttClientConnectResultCode.Success, MqttClientConnectResultCode.Success, MqttClientConnectResultCode.QuotaExceeded],
            codes);
        Assert.Equal(MqttClientConnectResultCode.Success, elsewhere.ConnectResult.ResultCode);
    }

    [Fact]
    public async Task A_second_connect_on_the_same_connection_closes_it()
    {
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);
        await raw.SendAsync(RawPackets.Connect($"twice-{Guid.NewGuid():N}", keepAliveSeconds: 30));
        var connAck = await raw.ReadPacketAsync(MqttPeer.Patience);

        await raw.SendAsync(RawPackets.Connect($"again-{Guid.NewGuid():N}", keepAliveSeconds: 30));
        var afterSecond = await raw.PacketsUntilClosedAsync(MqttPeer.Patience);

        Assert.Equal(RawPackets.ConnAck, connAck?.Type);
        Assert.Empty(afterSecond);
    }

    public static TheoryData<string, byte[]> Garbage => new()
    {
        { "bytes that are no MQTT at all", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02, 0x03] },
        { "a PUBLISH before any CONNECT", [0x30, 0x07, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'b', (byte)'h', (byte)'i'] },
        { "a CONNECT with an unknown protocol name", RawPackets.Connect("raw", keepAliveSeconds: 30, protocolName: "MQTX") },
        { "a CONNECT whose remaining length is a lie", [0x10, 0x02, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x1E] },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task A_malformed_first_packet_closes_that_connection_and_the_broker_keeps_serving(string what, byte[] bytes)
    {
        var topic = Topic("after-garbage");
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);

        await raw.SendAsync(bytes);
        var answered = await raw.PacketsUntilClosedAsync(MqttPeer.Patience);
        await using var peer = await SubscribedPeerAsync(topic);
        await peer.PublishAsync(topic, "still serving");

        Assert.True(answered.Count == 0, $"the broker answered {what} with packet types {string.Join(", ", answered.Select(p => p.Type))}");
        Assert.Equal("still serving", (await peer.NextAsync()).ConvertPayloadToString());
    }

    // --- Helpers ---

    private async Task<MqttPeer> SubscribedPeerAsync(params string[] filters)
    {
        var peer = await MqttPeer.ConnectAsync(bench.Port);
        foreach (var filter in filters)
        {
            await peer.SubscribeGrantedAsync(filter);
        }

        return peer;
    }

    private static async Task SubscribeWithIdentifierAsync(MqttPeer peer, string filter, uint identifier)
    {
        var result = await peer.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).WithSubscriptionIdentifier(identifier).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(result.Items).ResultCode);
    }

    private static MqttApplicationMessage AliasedMessage(string topic, ushort alias, string payload) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithTopicAlias(alias).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private async Task<MqttClientPublishResult> PublishFromNewPeerAsync(string topic, string payload)
    {
        await using var publisher = await MqttPeer.ConnectAsync(bench.Port);
        return await publisher.PublishAsync(topic, payload);
    }

    private async Task PublishWithMosquittoAsync(string protocol, params string[] arguments)
    {
        var (exitCode, output) = await Mosquitto.PublishAsync(bench.Port, ["-V", protocol, .. arguments]);
        Assert.True(exitCode == 0, $"mosquitto_pub failed ({exitCode}): {output}");
    }

    private async Task ClearRetainedAsync(string topic)
    {
        await using var peer = await MqttPeer.ConnectAsync(bench.Port);
        await peer.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
    }

    /// <summary>mosquitto_sub subscribes at QoS 1, and leaves with a DISCONNECT once the SUBACK is in (-E).</summary>
    private async Task SubscribeAndLeaveWithMosquittoAsync(string clientId, string topic, bool persistent)
    {
        string[] session = persistent ? ["-c"] : [];
        using var sub = Mosquitto.Sub(bench.Port, ["-V", "mqttv311", "-E", "-i", clientId, "-q", "1", "-t", topic, .. session]);
        var (exitCode, output) = await sub.ExitAsync();
        Assert.True(exitCode == 0, $"mosquitto_sub failed ({exitCode}): {output}");
        Assert.Contains("received SUBACK", output);
        await WaitUntilGoneAsync(bench.BrokerId, clientId);
    }

    /// <summary>An MQTT 5 client subscribes <paramref name="topic"/> in a session kept for <paramref name="expirySeconds"/>, then disconnects.</summary>
    private async Task LeaveSessionAsync(string clientId, string topic, uint expirySeconds)
    {
        var peer = await MqttPeer.ConnectAsync(bench.Port, configure: o => o.WithClientId(clientId).WithCleanStart().WithSessionExpiryInterval(expirySeconds));
        await peer.SubscribeGrantedAsync(topic);
        await peer.DisposeAsync();
        await WaitUntilGoneAsync(bench.BrokerId, clientId);
    }

    private Task WaitUntilGoneAsync(Guid brokerId, string clientId) =>
        Eventually.GetAsync(async () => (await bench.ClientIdsAsync(brokerId)).Contains(clientId) ? null : "gone", $"{clientId} to be disconnected");

    private static List<string> MessageLines(string output) =>
        [.. output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("MSG ", StringComparison.Ordinal))];

    /// <summary>Connects with a keep-alive of 1 s and sends nothing more; returns when the broker closed the connection and what it sent.</summary>
    private async Task<(TimeSpan Elapsed, List<RawPacket> Packets)> SilentConnectionAsync(byte level)
    {
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);
        var clock = Stopwatch.StartNew();
        await raw.SendAsync(RawPackets.Connect($"silent-{Guid.NewGuid():N}", keepAliveSeconds: 1, level: level));
        var packets = await raw.PacketsUntilClosedAsync(MqttPeer.Patience);
        return (clock.Elapsed, packets);
    }

    /// <summary>Connects and sends a PINGREQ every half second for <paramref name="duration"/>; returns the PINGRESPs counted while the connection stayed open.</summary>
    private async Task<int> PingingConnectionAsync(ushort keepAliveSeconds, TimeSpan duration)
    {
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);
        await raw.SendAsync(RawPackets.Connect($"pinging-{Guid.NewGuid():N}", keepAliveSeconds));
        Assert.Equal(RawPackets.ConnAck, (await raw.ReadPacketAsync(MqttPeer.Patience))?.Type);
        var pongs = 0;
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < duration;)
        {
            await Task.Delay(500);
            await raw.SendAsync(RawPackets.PingReq);
            var answer = await raw.ReadPacketAsync(MqttPeer.Patience);
            Assert.True(answer is { Type: RawPackets.PingResp }, $"after {clock.Elapsed.TotalSeconds:0.0} s the broker answered a PINGREQ with {answer?.Type.ToString() ?? "a closed connection"}");
            pongs++;
        }

        return pongs;
    }

    /// <summary>
    /// Four connection attempts on a new broker allowing <paramref name="maxAttemptsPerMinute"/>. The limiter counts
    /// per calendar minute, so a burst that straddles two minutes is repeated on another new broker.
    /// </summary>
    private async Task<List<MqttClientConnectResultCode>> ConnectFourTimesWithinOneMinuteAsync(int maxAttemptsPerMinute)
    {
        while (true)
        {
            var (_, port) = await bench.CreateBrokerAsync(new() { ["maxConnectAttemptsPerMinute"] = maxAttemptsPerMinute });
            var minute = CurrentMinute();
            var codes = new List<MqttClientConnectResultCode>();
            for (var i = 0; i < 4; i++)
            {
                await using var attempt = await MqttPeer.TryConnectAsync(port);
                codes.Add(attempt.ConnectResult.ResultCode);
            }

            if (CurrentMinute() == minute)
            {
                return codes;
            }
        }
    }

    private static long CurrentMinute() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;
}
