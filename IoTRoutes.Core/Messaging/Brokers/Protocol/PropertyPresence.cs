using System.Runtime.CompilerServices;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// Which MQTT 5 properties the last PUBLISH or DISCONNECT of a connection carried. MQTTnet's decoder reads an absent
/// property and one sent as 0 alike (Topic Alias, Session Expiry Interval), but the specification treats them
/// differently: a Topic Alias of 0 is invalid, a DISCONNECT's Session Expiry Interval of 0 ends the session. This wraps
/// the connection's MQTT 5 decoder and notes the property ids present, from the packet's bytes.
/// </summary>
internal sealed class PropertyPresence(IMqttPacketFormatter inner) : IMqttPacketFormatter
{
    public const int TopicAlias = 0x23;
    public const int SessionExpiryInterval = 0x11;

    private ulong _present;

    /// <summary>Installs the peek under an MQTT 5 connection's decoder; null for other versions.</summary>
    public static PropertyPresence? Install(MqttPacketFormatterAdapter adapter)
    {
        if (adapter.ProtocolVersion != MqttProtocolVersion.V500)
        {
            return null;
        }

        ref var formatter = ref FormatterOf(adapter);
        var peek = new PropertyPresence(formatter);
        formatter = peek;
        return peek;
    }

    /// <summary>Whether the packet decoded last (a PUBLISH or a DISCONNECT) carried property <paramref name="id"/>.</summary>
    public bool Had(int id) => (_present & (1UL << id)) != 0;

    public MqttPacket Decode(ReceivedMqttPacket receivedPacket)
    {
        var packet = inner.Decode(receivedPacket);
        _present = packet switch
        {
            MqttPublishPacket publish => PublishProperties(receivedPacket.Body, publish.QualityOfServiceLevel != MQTTnet.Protocol.MqttQualityOfServiceLevel.AtMostOnce),
            MqttDisconnectPacket => receivedPacket.Body.Count > 1 ? Walk(receivedPacket.Body, 1) : 0,
            _ => 0,
        };
        return packet;
    }

    public MqttPacketBuffer Encode(MqttPacket packet) => inner.Encode(packet);

    private static ulong PublishProperties(ArraySegment<byte> body, bool hasPacketId)
    {
        var span = body.AsSpan();
        var at = 2 + ((span[0] << 8) | span[1]) + (hasPacketId ? 2 : 0);
        return Walk(body, at);
    }

    /// <summary>The ids of the properties in the property list at <paramref name="at"/> (the decoder has checked it is well formed).</summary>
    private static ulong Walk(ArraySegment<byte> body, int at)
    {
        var span = body.AsSpan();
        if (at >= span.Length)
        {
            return 0; // no property length at all, which MQTTnet reads as no properties
        }

        var length = ReadVariableInteger(span, ref at);
        var end = at + length;
        ulong present = 0;
        while (at < end)
        {
            var id = span[at++];
            present |= 1UL << (id & 63);
            at += id switch
            {
                0x01 or 0x17 or 0x19 or 0x24 or 0x25 or 0x28 or 0x29 or 0x2A => 1,
                0x13 or 0x21 or 0x22 or 0x23 => 2,
                0x02 or 0x11 or 0x18 or 0x27 => 4,
                0x0B => VariableIntegerLength(span, at),
                0x03 or 0x08 or 0x09 or 0x12 or 0x15 or 0x16 or 0x1A or 0x1C or 0x1F => 2 + ((span[at] << 8) | span[at + 1]),
                0x26 => UserPropertyLength(span, at),
                _ => end - at, // not a property MQTTnet accepts; it has already refused the packet
            };
        }

        return present;
    }

    private static int ReadVariableInteger(ReadOnlySpan<byte> span, ref int at)
    {
        var value = 0;
        for (var shift = 0; shift < 28; shift += 7)
        {
            var b = span[at++];
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        return value;
    }

    private static int VariableIntegerLength(ReadOnlySpan<byte> span, int at)
    {
        var start = at;
        ReadVariableInteger(span, ref at);
        return at - start;
    }

    private static int UserPropertyLength(ReadOnlySpan<byte> span, int at)
    {
        var name = 2 + ((span[at] << 8) | span[at + 1]);
        return name + 2 + ((span[at + name] << 8) | span[at + name + 1]);
    }

    // The decoder MQTTnet chose for the connection's protocol version; pinned MQTTnet version (see ClientIdAssignment).
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_formatter")]
    private static extern ref IMqttPacketFormatter FormatterOf(MqttPacketFormatterAdapter adapter);
}
