using System.Net;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using IoTRoutes.Core.Messaging.Brokers.Protocol;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Formatter.V5;
using MQTTnet.Packets;
using MQTTnet.Protocol;

/// <summary>
/// What issue 12 added per packet on every connection, against what MQTTnet does anyway: reading an MQTT 5 QoS 1
/// PUBLISH with and without <see cref="PropertyPresence"/>, and one publish and its PUBACK through
/// <see cref="InboundRules"/> (topic alias checks, the Receive Maximum count) against a decorator that passes through.
/// </summary>
[MemoryDiagnoser]
public class InboundChecks
{
    private readonly IMqttPacketFormatter _mqttnet = new MqttV5PacketFormatter(new MqttBufferWriter(4096, 65535));
    private ReceivedMqttPacket _publish;
    private PropertyPresence _peek = null!;
    private InboundRules _rules = null!;
    private PassThrough _bare = null!;
    private readonly MqttPubAckPacket _ack = new() { PacketIdentifier = 7 };

    [GlobalSetup]
    public void Setup()
    {
        var body = Body();
        _publish = new ReceivedMqttPacket(0x32, body, body.Count + 2);
        _peek = new PropertyPresence(_mqttnet);
        if (_peek.Decode(_publish) is not MqttPublishPacket { PacketIdentifier: 7 })
        {
            throw new InvalidOperationException("The benchmark's PUBLISH does not decode.");
        }

        var connection = new ReadyConnection(new MqttPublishPacket { PacketIdentifier = 7, QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, Topic = "devices/abc/telemetry" });
        _rules = new InboundRules(connection, new InboundLimits(100, 10, (_, _, _) => { }));
        _bare = new PassThrough(connection);
        connection.Next = new MqttConnectPacket { ClientId = "c" };
        _rules.ReceivePacketAsync(CancellationToken.None).GetAwaiter().GetResult();
        connection.Next = null;
    }

    [Benchmark(Baseline = true, Description = "MQTT 5 PUBLISH decoded by MQTTnet")]
    public MqttPacket DecodeBare() => _mqttnet.Decode(_publish);

    [Benchmark(Description = "the same through PropertyPresence")]
    public MqttPacket DecodePeeked() => _peek.Decode(_publish);

    [Benchmark(Description = "publish + PUBACK through a pass-through decorator")]
    public Task ReceiveAndAcknowledgeBare()
    {
        _bare.ReceivePacketAsync(CancellationToken.None).GetAwaiter().GetResult();
        return _bare.SendPacketAsync(_ack, CancellationToken.None);
    }

    [Benchmark(Description = "publish + PUBACK through InboundRules")]
    public Task ReceiveAndAcknowledgeChecked()
    {
        _rules.ReceivePacketAsync(CancellationToken.None).GetAwaiter().GetResult();
        return _rules.SendPacketAsync(_ack, CancellationToken.None);
    }

    private static ArraySegment<byte> Body()
    {
        var topic = "devices/abcdef123456/telemetry"u8.ToArray();
        var payload = new byte[128];
        byte[] body = [(byte)(topic.Length >> 8), (byte)topic.Length, .. topic, 0, 7, 0, .. payload];
        return new ArraySegment<byte>(body);
    }

    private sealed class PassThrough(IMqttChannelAdapter inner) : ChannelAdapterDecorator(inner);

    /// <summary>A connection whose next packet is always there (as when the read buffer holds it) and whose sends complete at once.</summary>
    private sealed class ReadyConnection(MqttPacket publish) : IMqttChannelAdapter
    {
        private readonly Task<MqttPacket> _publish = Task.FromResult(publish);

        public MqttPacket? Next { get; set; }

        public MqttPacketFormatterAdapter PacketFormatterAdapter { get; } = new(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 65535));
        public long BytesReceived => 0;
        public long BytesSent => 0;
        public X509Certificate2 ClientCertificate => null!;
        public EndPoint RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1);
        public EndPoint LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 2);
        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task DisconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) => Next is { } next ? Task.FromResult(next) : _publish;
        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => Task.CompletedTask;
        public void ResetStatistics() { }
        public void Dispose() { }
    }
}
