using System.Collections;
using System.Collections.Concurrent;
using System.Net;
using IoTRoutes.Core.Messaging.Brokers.Protocol;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTRoutes.Tests.Core.Messaging;

/// <summary>How an acknowledgement is matched to its stored message, through MQTTnet's own interceptor arguments.</summary>
public sealed class DurableAcknowledgementsTests
{
    private readonly IDictionary _session = new ConcurrentDictionary<object, object>();
    private readonly CancellationTokenSource _connection = new();

    public DurableAcknowledgementsTests() => DurableAcknowledgements.Install(_session);

    [Fact]
    public async Task A_puback_leaves_when_its_own_message_is_stored()
    {
        var first = Receive(7);
        var second = Receive(8);

        var ack7 = Outbound(new MqttPubAckPacket { PacketIdentifier = 7 });
        var sending7 = DurableAcknowledgements.OnOutboundAsync(ack7).AsTask();
        await Task.Delay(50);
        Assert.False(sending7.IsCompleted);

        first.SetResult();
        Assert.Null(await sending7);
        Assert.True(ack7.ProcessPacket);

        second.SetResult();
        var ack8 = Outbound(new MqttPubRecPacket { PacketIdentifier = 8 }); // QoS 2: the PUBREC waits the same way
        Assert.Null(await DurableAcknowledgements.OnOutboundAsync(ack8));
        Assert.True(ack8.ProcessPacket);
    }

    [Fact]
    public async Task A_failed_write_withholds_the_acknowledgement_and_reports_the_failure()
    {
        var stored = Receive(3);
        stored.SetException(new IOException("disk full"));

        var ack = Outbound(new MqttPubAckPacket { PacketIdentifier = 3 });
        var failure = await DurableAcknowledgements.OnOutboundAsync(ack);

        Assert.IsType<IOException>(failure);
        Assert.False(ack.ProcessPacket);
    }

    [Fact]
    public async Task Acknowledgements_of_publishes_that_were_not_deferred_go_at_once()
    {
        Receive(5).SetResult();
        _ = DurableAcknowledgements.OnOutboundAsync(Outbound(new MqttPubAckPacket { PacketIdentifier = 5 }));

        // The same id again, this time refused before storage (no deferral): nothing left to wait for.
        var again = DurableAcknowledgements.OnOutboundAsync(Outbound(new MqttPubAckPacket { PacketIdentifier = 5, ReasonCode = MqttPubAckReasonCode.NotAuthorized }));
        Assert.True(again.IsCompletedSuccessfully);
        Assert.Null(await again);
    }

    [Fact]
    public async Task A_redelivery_before_the_first_acknowledgement_left_waits_for_both_writes()
    {
        var first = Receive(9);
        var redelivered = Receive(9);

        var sending = DurableAcknowledgements.OnOutboundAsync(Outbound(new MqttPubAckPacket { PacketIdentifier = 9 })).AsTask();
        redelivered.SetResult();
        await Task.Delay(50);
        Assert.False(sending.IsCompleted);

        first.SetResult();
        Assert.Null(await sending);
    }

    [Fact]
    public async Task A_closing_connection_drops_the_acknowledgement_without_reporting_a_failure()
    {
        Receive(4);
        using var closing = new CancellationTokenSource();
        var ack = Outbound(new MqttPubAckPacket { PacketIdentifier = 4 }, closing.Token);
        var sending = DurableAcknowledgements.OnOutboundAsync(ack).AsTask();

        await closing.CancelAsync();

        Assert.Null(await sending);
        Assert.False(ack.ProcessPacket);
    }

    [Fact]
    public void A_publish_that_did_not_come_through_this_connections_receive_loop_is_not_deferred()
    {
        DurableAcknowledgements.OnInbound(new InterceptingPacketEventArgs("c1", "dev", new IPEndPoint(IPAddress.Loopback, 1),
            new MqttPublishPacket { PacketIdentifier = 11, QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, Topic = "t" }, _session, _connection.Token));
        using var other = new CancellationTokenSource();

        // A will (published by MQTTnet itself, without a connection) and a publish of another connection of the session.
        Assert.False(DurableAcknowledgements.TryDefer(_session, CancellationToken.None, Task.CompletedTask));
        Assert.False(DurableAcknowledgements.TryDefer(_session, other.Token, Task.CompletedTask));

        Assert.True(DurableAcknowledgements.TryDefer(_session, _connection.Token, Task.CompletedTask));
        Assert.False(DurableAcknowledgements.TryDefer(_session, _connection.Token, Task.CompletedTask)); // one packet id, used once
    }

    [Fact]
    public async Task A_resumed_session_forgets_finished_writes_whose_acknowledgements_MQTTnet_dropped()
    {
        Receive(6).SetException(new IOException("disk full")); // its PUBACK was withheld, the connection closed

        DurableAcknowledgements.Install(_session); // the device comes back to its session
        var refused = Outbound(new MqttPubAckPacket { PacketIdentifier = 6, ReasonCode = MqttPubAckReasonCode.NotAuthorized });
        Assert.Null(await DurableAcknowledgements.OnOutboundAsync(refused)); // the old failure is forgotten
        Assert.True(refused.ProcessPacket);

        Receive(6).SetResult(); // and sends id 6 again, stored this time

        var ack = Outbound(new MqttPubAckPacket { PacketIdentifier = 6 });
        Assert.Null(await DurableAcknowledgements.OnOutboundAsync(ack));
        Assert.True(ack.ProcessPacket);
    }

    private TaskCompletionSource Receive(ushort packetId)
    {
        DurableAcknowledgements.OnInbound(new InterceptingPacketEventArgs("c1", "dev", new IPEndPoint(IPAddress.Loopback, 1),
            new MqttPublishPacket { PacketIdentifier = packetId, QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, Topic = "t" }, _session, _connection.Token));
        var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(DurableAcknowledgements.TryDefer(_session, _connection.Token, stored.Task));
        return stored;
    }

    private InterceptingPacketEventArgs Outbound(MqttPacket packet, CancellationToken ct = default) =>
        new("c1", "dev", new IPEndPoint(IPAddress.Loopback, 1), packet, _session, ct);
}
