using System.Net.Sockets;
using System.Text;

namespace IoTRoutes.Tests.Integration.MqttBehaviour;

/// <summary>A bare TCP connection to a broker, for packets no well-behaved client would send.</summary>
public sealed class RawMqttConnection : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly Stream _stream;

    private RawMqttConnection(TcpClient tcp, Stream? stream = null)
    {
        _tcp = tcp;
        _stream = stream ?? tcp.GetStream();
    }

    /// <param name="from">The loopback address to connect from (127.0.0.2...); the broker counts some limits per address.</param>
    public static async Task<RawMqttConnection> OpenAsync(int port, string from = "127.0.0.1")
    {
        var tcp = new TcpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(from), 0));
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RawMqttConnection(tcp);
    }

    /// <summary>A connection to a TLS port, its handshake done (any server certificate accepted).</summary>
    public static async Task<RawMqttConnection> OpenTlsAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var tls = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost");
        return new RawMqttConnection(tcp, tls);
    }

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>The next packet (fixed header byte and body), or null once the broker has closed the connection.</summary>
    public async Task<RawPacket?> ReadPacketAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var header = await ReadExactlyAsync(1, cts.Token);
            if (header is null)
            {
                return null;
            }

            var length = 0;
            for (var shift = 0; ; shift += 7)
            {
                var next = await ReadExactlyAsync(1, cts.Token);
                if (next is null)
                {
                    return null;
                }

                length |= (next[0] & 0x7F) << shift;
                if ((next[0] & 0x80) == 0)
                {
                    break;
                }
            }

            var body = length == 0 ? [] : await ReadExactlyAsync(length, cts.Token);
            return body is null ? null : new RawPacket(header[0], body);
        }
        catch (IOException)
        {
            return null; // reset by the broker
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The broker neither sent a packet nor closed the connection within {timeout.TotalSeconds} s.");
        }
    }

    /// <summary>Reads until the broker closes the connection; returns the packets it sent meanwhile.</summary>
    public async Task<List<RawPacket>> PacketsUntilClosedAsync(TimeSpan timeout)
    {
        var packets = new List<RawPacket>();
        var deadline = DateTime.UtcNow + timeout;
        while (await ReadPacketAsync(Max(deadline - DateTime.UtcNow, TimeSpan.FromMilliseconds(1))) is { } packet)
        {
            packets.Add(packet);
        }

        return packets;
    }

    public void Dispose() => _tcp.Dispose();

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private async Task<byte[]?> ReadExactlyAsync(int count, CancellationToken ct)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0)
            {
                return null;
            }

            read += n;
        }

        return buffer;
    }
}

/// <summary>A packet as it came off the wire: the fixed header's first byte and the body after the remaining length.</summary>
public sealed record RawPacket(byte Header, byte[] Body)
{
    public int Type => Header >> 4;
}

/// <summary>Encodes the few packets the raw tests send.</summary>
public static class RawPackets
{
    public const int ConnAck = 2;
    public const int PubAckType = 4;
    public const int SubAck = 9;
    public const int PingResp = 13;
    public const int Disconnect = 14;

    public static readonly byte[] PingReq = [0xC0, 0x00];

    /// <summary>A CONNECT without credentials; level 4 is MQTT 3.1.1, level 5 is MQTT 5.0.</summary>
    public static byte[] Connect(string clientId, ushort keepAliveSeconds, byte level = 4, string protocolName = "MQTT", bool cleanSession = true)
    {
        var body = new List<byte>();
        body.AddRange(Utf8(protocolName));
        body.Add(level);
        body.Add(cleanSession ? (byte)0x02 : (byte)0x00);
        body.Add((byte)(keepAliveSeconds >> 8));
        body.Add((byte)keepAliveSeconds);
        if (level == 5)
        {
            body.Add(0x00); // no properties
        }

        body.AddRange(Utf8(clientId));
        return Packet(0x10, body);
    }

    public const int PublishType = 3;

    /// <summary>An MQTT 5 CONNECT announcing a Receive Maximum.</summary>
    public static byte[] ConnectV5WithReceiveMaximum(string clientId, ushort receiveMaximum) =>
        ConnectV5(clientId, 0x21, (byte)(receiveMaximum >> 8), (byte)receiveMaximum);

    /// <summary>An MQTT 5 CONNECT announcing a Topic Alias Maximum.</summary>
    public static byte[] ConnectV5WithTopicAliasMaximum(string clientId, ushort maximum, bool persistent = false) => persistent
        ? ConnectV5(clientId, cleanStart: false, 0x22, (byte)(maximum >> 8), (byte)maximum, 0x11, 0, 0, 0, 60)
        : ConnectV5(clientId, cleanStart: true, 0x22, (byte)(maximum >> 8), (byte)maximum);

    private static byte[] ConnectV5(string clientId, params byte[] properties) => ConnectV5(clientId, true, properties);

    private static byte[] ConnectV5(string clientId, bool cleanStart, params byte[] properties)
    {
        var body = new List<byte>();
        body.AddRange(Utf8("MQTT"));
        body.AddRange([5, cleanStart ? (byte)0x02 : (byte)0x00, 0x00, 60, (byte)properties.Length, .. properties]);
        body.AddRange(Utf8(clientId));
        return Packet(0x10, body);
    }

    /// <summary>The topic name of a received PUBLISH (empty when only a topic alias was sent).</summary>
    public static string TopicOf(RawPacket publish)
    {
        var topicLength = (publish.Body[0] << 8) | publish.Body[1];
        return Encoding.UTF8.GetString(publish.Body, 2, topicLength);
    }

    /// <summary>The Topic Alias property of a received MQTT 5 QoS 0 PUBLISH, or 0.</summary>
    public static int TopicAliasOfQos0(RawPacket publish)
    {
        var at = 2 + ((publish.Body[0] << 8) | publish.Body[1]);
        var length = publish.Body[at++]; // short property lists: one length byte
        for (var end = at + length; at < end;)
        {
            var id = publish.Body[at++];
            switch (id)
            {
                case 0x23: return (publish.Body[at] << 8) | publish.Body[at + 1];
                case 0x01: at += 1; break;
                case 0x02: at += 4; break;
                default: return -1; // a property this helper does not walk
            }
        }

        return 0;
    }

    /// <summary>The packet id of a received QoS 1 PUBLISH.</summary>
    public static ushort PacketIdOf(RawPacket publish)
    {
        var topicLength = (publish.Body[0] << 8) | publish.Body[1];
        return (ushort)((publish.Body[2 + topicLength] << 8) | publish.Body[3 + topicLength]);
    }

    public static byte[] PubAck(ushort packetId) => [0x40, 0x02, (byte)(packetId >> 8), (byte)packetId];

    /// <summary>A SUBSCRIBE for one filter at QoS 1, without MQTTnet's client-side checks.</summary>
    public static byte[] Subscribe(ushort packetId, string filter, bool v5) => Subscribe(packetId, [filter], v5);

    /// <summary>One SUBSCRIBE for several filters, each at QoS 1.</summary>
    public static byte[] Subscribe(ushort packetId, string[] filters, bool v5)
    {
        var body = new List<byte> { (byte)(packetId >> 8), (byte)packetId };
        if (v5)
        {
            body.Add(0x00);
        }

        foreach (var filter in filters)
        {
            body.AddRange(Utf8(filter));
            body.Add(0x01);
        }

        return Packet(0x82, body);
    }

    /// <summary>A QoS 1 PUBLISH, without MQTTnet's client-side checks.</summary>
    public static byte[] Publish(ushort packetId, string topic, string payload, bool v5)
    {
        var body = new List<byte>();
        body.AddRange(Utf8(topic));
        body.Add((byte)(packetId >> 8));
        body.Add((byte)packetId);
        if (v5)
        {
            body.Add(0x00);
        }

        body.AddRange(Encoding.UTF8.GetBytes(payload));
        return Packet(0x32, body);
    }

    private static byte[] Packet(byte header, List<byte> body)
    {
        var packet = new List<byte> { header };
        var length = body.Count;
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            packet.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);

        packet.AddRange(body);
        return [.. packet];
    }

    private static byte[] Utf8(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
    }
}
