using System.Text;

namespace IoTRoutes.Tests.Integration.MqttBehaviour;

/// <summary>MQTT 5 packets with properties, built and read byte by byte, for what client libraries will not send or hide.</summary>
public static class RawV5
{
    public const byte SessionExpiryInterval = 0x11;
    public const byte WillDelayInterval = 0x18;
    public const byte ServerKeepAlive = 0x13;
    public const byte ReceiveMaximum = 0x21;
    public const byte TopicAliasMaximum = 0x22;
    public const byte TopicAlias = 0x23;

    /// <summary>A property with a two-byte value.</summary>
    public static byte[] Two(byte id, ushort value) => [id, (byte)(value >> 8), (byte)value];

    /// <summary>A property with a four-byte value.</summary>
    public static byte[] Four(byte id, uint value) => [id, (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    /// <summary>An MQTT 5 CONNECT (level 5) with the given properties; a will when <paramref name="willTopic"/> is set.</summary>
    public static byte[] Connect(string clientId, bool cleanStart = true, ushort keepAlive = 60, string? willTopic = null, params byte[][] properties) =>
        Connect(clientId, cleanStart, keepAlive, willTopic, willProperties: [], properties);

    /// <summary>An MQTT 5 CONNECT with a will that has properties of its own (such as the Will Delay Interval, 0x18).</summary>
    public static byte[] Connect(string clientId, bool cleanStart, ushort keepAlive, string? willTopic, byte[][] willProperties, params byte[][] properties)
    {
        var flags = (byte)((cleanStart ? 0x02 : 0) | (willTopic is null ? 0 : 0x04));
        var body = new List<byte>();
        body.AddRange(Utf8("MQTT"));
        body.AddRange([5, flags, (byte)(keepAlive >> 8), (byte)keepAlive]);
        body.AddRange(Properties(properties));
        body.AddRange(Utf8(clientId));
        if (willTopic is not null)
        {
            body.AddRange(Properties(willProperties));
            body.AddRange(Utf8(willTopic));
            body.AddRange(Utf8("gone"));
        }

        return Packet(0x10, body);
    }

    /// <summary>A PUBLISH at QoS 0, 1 or 2 (packet id for 1 and 2) with the given properties.</summary>
    public static byte[] Publish(string topic, string payload, int qos = 0, ushort packetId = 0, params byte[][] properties)
    {
        var body = new List<byte>();
        body.AddRange(Utf8(topic));
        if (qos > 0)
        {
            body.AddRange([(byte)(packetId >> 8), (byte)packetId]);
        }

        body.AddRange(Properties(properties));
        body.AddRange(Encoding.UTF8.GetBytes(payload));
        return Packet((byte)(0x30 | (qos << 1)), body);
    }

    /// <summary>A SUBSCRIBE for one filter at the given maximum QoS.</summary>
    public static byte[] Subscribe(ushort packetId, string filter, int qos) =>
        Packet(0x82, [(byte)(packetId >> 8), (byte)packetId, 0, .. Utf8(filter), (byte)qos]);

    /// <summary>A DISCONNECT with a reason code and properties.</summary>
    public static byte[] Disconnect(byte reason = 0, params byte[][] properties) => Packet(0xE0, [reason, .. Properties(properties)]);

    public static byte[] PubAck(ushort packetId) => [0x40, 0x02, (byte)(packetId >> 8), (byte)packetId];

    /// <summary>The properties of a received CONNACK, PUBLISH or DISCONNECT whose values are numbers (id to value).</summary>
    public static Dictionary<byte, uint> PropertiesOf(RawPacket packet)
    {
        var body = packet.Body;
        var at = packet.Type switch
        {
            RawPackets.ConnAck => 2,
            RawPackets.Disconnect => 1,
            RawPackets.PublishType => 2 + ((body[0] << 8) | body[1]) + (((packet.Header >> 1) & 3) > 0 ? 2 : 0),
            _ => throw new ArgumentException($"packet type {packet.Type} has no properties this helper reads"),
        };
        var result = new Dictionary<byte, uint>();
        if (at >= body.Length)
        {
            return result;
        }

        var length = ReadVariable(body, ref at);
        for (var end = at + length; at < end;)
        {
            var id = body[at++];
            switch (id)
            {
                case 0x01 or 0x17 or 0x19 or 0x24 or 0x25 or 0x28 or 0x29 or 0x2A:
                    result[id] = body[at]; at += 1; break;
                case 0x13 or 0x21 or 0x22 or 0x23:
                    result[id] = (uint)((body[at] << 8) | body[at + 1]); at += 2; break;
                case 0x02 or 0x11 or 0x18 or 0x27:
                    result[id] = (uint)((body[at] << 24) | (body[at + 1] << 16) | (body[at + 2] << 8) | body[at + 3]); at += 4; break;
                case 0x0B:
                    result[id] = (uint)ReadVariable(body, ref at); break;
                case 0x26:
                    at += 2 + ((body[at] << 8) | body[at + 1]);
                    at += 2 + ((body[at] << 8) | body[at + 1]);
                    break;
                default: // strings and binary data
                    at += 2 + ((body[at] << 8) | body[at + 1]); break;
            }
        }

        return result;
    }

    /// <summary>The reason code of a CONNACK or DISCONNECT.</summary>
    public static byte ReasonOf(RawPacket packet) => packet.Type == RawPackets.ConnAck ? packet.Body[1] : packet.Body.Length == 0 ? (byte)0 : packet.Body[0];

    public static bool SessionPresent(RawPacket connAck) => (connAck.Body[0] & 1) == 1;

    /// <summary>The payload of a received PUBLISH, as text.</summary>
    public static string PayloadOf(RawPacket publish)
    {
        var at = 2 + ((publish.Body[0] << 8) | publish.Body[1]) + (((publish.Header >> 1) & 3) > 0 ? 2 : 0);
        var length = ReadVariable(publish.Body, ref at);
        at += length;
        return Encoding.UTF8.GetString(publish.Body, at, publish.Body.Length - at);
    }

    /// <summary>Opens a raw connection, sends <paramref name="connect"/> and returns it with the CONNACK.</summary>
    public static async Task<(RawMqttConnection Connection, RawPacket ConnAck)> ConnectAsync(int port, byte[] connect)
    {
        var raw = await RawMqttConnection.OpenAsync(port);
        await raw.SendAsync(connect);
        var connAck = await raw.ReadPacketAsync(MqttPeer.Patience);
        Assert.True(connAck is { Type: RawPackets.ConnAck }, "the broker answered the CONNECT with no CONNACK");
        return (raw, connAck!);
    }

    private static IEnumerable<byte> Properties(byte[][] properties)
    {
        var all = properties.SelectMany(p => p).ToArray();
        return [.. Variable(all.Length), .. all];
    }

    private static byte[] Variable(int value)
    {
        var bytes = new List<byte>();
        do
        {
            var digit = (byte)(value % 128);
            value /= 128;
            bytes.Add(value > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (value > 0);

        return [.. bytes];
    }

    private static int ReadVariable(byte[] body, ref int at)
    {
        var value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = body[at++];
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private static byte[] Packet(byte header, IEnumerable<byte> body)
    {
        var bytes = body.ToArray();
        return [header, .. Variable(bytes.Length), .. bytes];
    }

    private static byte[] Utf8(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
    }
}
