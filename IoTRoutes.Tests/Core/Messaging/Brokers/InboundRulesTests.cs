using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using IoTRoutes.Core.Messaging.Brokers.Protocol;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IoTRoutes.Tests.Core.Messaging.Brokers;

/// <summary>The receive window a broker holds clients to, over a scripted connection (the socket behaviour is in MqttConformanceTests).</summary>
public sealed class InboundRulesTests
{
    private readonly List<(MqttDisconnectReasonCode Code, string Text)> _violations = [];

    [Fact]
    public async Task An_mqtt311_client_is_not_read_from_while_its_window_is_full_and_is_again_once_one_is_acknowledged()
    {
        var connection = new ScriptedConnection(MqttProtocolVersion.V311);
        var rules = new InboundRules(connection, new InboundLimits(2, 10, (_, code, text) => _violations.Add((code, text))));
        connection.Arrive(new MqttConnectPacket { ClientId = "c" }, Publish(1), Publish(2), Publish(3));

        await rules.ReceivePacketAsync(CancellationToken.None);
        await rules.ReceivePacketAsync(CancellationToken.None);
        await rules.ReceivePacketAsync(CancellationToken.None);
        var third = rules.ReceivePacketAsync(CancellationToken.None);
        await Task.Delay(100); // long enough for a read that was not held back to complete
        var heldBack = !third.IsCompleted;
        await rules.SendPacketAsync(new MqttPubAckPacket { PacketIdentifier = 1 }, CancellationToken.None);
        var read = await third.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(heldBack, "the third publish was read while two were unacknowledged");
        Assert.Equal(3, Assert.IsType<MqttPublishPacket>(read).PacketIdentifier);
        Assert.Empty(_violations);
    }

    [Fact]
    public async Task An_mqtt5_client_over_its_window_is_disconnected_with_0x93_and_its_publish_never_reaches_mqttnet()
    {
        var connection = new ScriptedConnection(MqttProtocolVersion.V500);
        var rules = new InboundRules(connection, new InboundLimits(2, 10, (_, code, text) => _violations.Add((code, text))));
        connection.Arrive(new MqttConnectPacket { ClientId = "c" }, Publish(1), Publish(1), Publish(2), Publish(3));

        await rules.ReceivePacketAsync(CancellationToken.None);
        var packets = new List<MqttPacket?>();
        for (var i = 0; i < 4; i++)
        {
            packets.Add(await rules.ReceivePacketAsync(CancellationToken.None));
        }

        Assert.Equal([1, 1, 2], packets.Take(3).Select(p => (int)((MqttPublishPacket)p!).PacketIdentifier)); // a DUP of 1 is not one more
        Assert.Null(packets[3]);
        var disconnect = Assert.IsType<MqttDisconnectPacket>(Assert.Single(connection.Sent));
        Assert.Equal(MqttDisconnectReasonCode.ReceiveMaximumExceeded, disconnect.ReasonCode);
        Assert.Equal(MqttDisconnectReasonCode.ReceiveMaximumExceeded, Assert.Single(_violations).Code);
    }

    [Fact]
    public async Task Acknowledgements_free_places_in_the_window_but_a_successful_pubrec_does_not_on_mqtt5()
    {
        var connection = new ScriptedConnection(MqttProtocolVersion.V500);
        var rules = new InboundRules(connection, new InboundLimits(2, 10, (_, code, text) => _violations.Add((code, text))));
        connection.Arrive(new MqttConnectPacket { ClientId = "c" }, Publish(1), Publish(2, MqttQualityOfServiceLevel.ExactlyOnce));
        for (var i = 0; i < 3; i++)
        {
            await rules.ReceivePacketAsync(CancellationToken.None);
        }

        await rules.SendPacketAsync(new MqttPubAckPacket { PacketIdentifier = 1 }, CancellationToken.None);
        await rules.SendPacketAsync(new MqttPubRecPacket { PacketIdentifier = 2 }, CancellationToken.None);

        Assert.Equal(1, rules.Unacknowledged); // QoS 2 stays until its PUBCOMP
        await rules.SendPacketAsync(new MqttPubCompPacket { PacketIdentifier = 2 }, CancellationToken.None);
        Assert.Equal(0, rules.Unacknowledged);
    }

    private static MqttPublishPacket Publish(ushort id, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        new() { PacketIdentifier = id, QualityOfServiceLevel = qos, Topic = "t" };

    /// <summary>A connection whose packets arrive as the test says and which records what is sent on it.</summary>
    private sealed class ScriptedConnection(MqttProtocolVersion version) : IMqttChannelAdapter
    {
        private readonly Channel<MqttPacket> _arriving = Channel.CreateUnbounded<MqttPacket>();

        public List<MqttPacket> Sent { get; } = [];

        public void Arrive(params MqttPacket[] packets)
        {
            foreach (var packet in packets)
            {
                _arriving.Writer.TryWrite(packet);
            }
        }

        public MqttPacketFormatterAdapter PacketFormatterAdapter { get; } = new(version, new MqttBufferWriter(4096, 65535));
        public long BytesReceived => 0;
        public long BytesSent => 0;
        public X509Certificate2 ClientCertificate => null!;
        public EndPoint RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1);
        public EndPoint LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 2);
        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task DisconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) => await _arriving.Reader.ReadAsync(cancellationToken);
        public void ResetStatistics() { }

        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken)
        {
            Sent.Add(packet);
            return Task.CompletedTask;
        }

        public void Dispose() { }
    }
}
