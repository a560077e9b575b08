using System.Runtime.CompilerServices;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// Answers the CONNECTs that MQTTnet's decoder rejects before any server event runs, as MQTT 3.1.1 requires:
/// an unsupported protocol level gets CONNACK 0x01 (MQTT-3.1.2-2) and an empty client id without a clean session
/// CONNACK 0x02 (MQTT-3.1.3-8), then the connection closes; and a protocol level with the top bit set (0x84), which MQTTnet
/// reads as 4, gets CONNACK 0x01 as any unknown level. Wraps each connection's channel adapter.
/// </summary>
internal static class ConnectRefusals
{
    /// <summary>The connection's adapter, answering what MQTTnet's decoder refuses in a first packet.</summary>
    public static IMqttChannelAdapter Wrap(IMqttChannelAdapter adapter) =>
        new FirstPacketGuard(adapter, ownBodies: adapter is MqttChannelAdapter or CoalescedAcknowledgements.Channel);

    /// <param name="ownBodies">
    /// Whether each packet body is an array of its own, still intact after the packet is returned: MQTTnet's
    /// <see cref="MqttChannelAdapter"/>, which serves TCP, TLS and (MQTTnet.AspNetCore 5.2) WebSocket connections alike.
    /// Another adapter might read from pooled memory already reused, so there the bridge bit is not looked for.
    /// </param>
    private sealed class FirstPacketGuard(IMqttChannelAdapter adapter, bool ownBodies) : ChannelAdapterDecorator(adapter)
    {
        private bool _first = true;

        public override Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) =>
            _first ? ReceiveFirstAsync(cancellationToken) : Inner.ReceivePacketAsync(cancellationToken);

        private async Task<MqttPacket> ReceiveFirstAsync(CancellationToken cancellationToken)
        {
            _first = false;
            MqttConnectReturnCode code;
            try
            {
                var packet = await Inner.ReceivePacketAsync(cancellationToken);
                if (packet is not MqttConnectPacket || !ownBodies || !HasBridgeFlag(PacketFormatterAdapter))
                {
                    return packet;
                }

                code = MqttConnectReturnCode.ConnectionRefusedUnacceptableProtocolVersion;
                UseProtocolVersion(PacketFormatterAdapter, MqttProtocolVersion.V311); // answered as any unknown level
            }
            catch (MqttProtocolViolationException e) when (RefusalFor(e) is { } refusal)
            {
                code = refusal;
                if (PacketFormatterAdapter.ProtocolVersion == MqttProtocolVersion.Unknown)
                {
                    UseProtocolVersion(PacketFormatterAdapter, MqttProtocolVersion.V311); // the CONNACK every MQTT version can read
                }
            }

            await Inner.SendPacketAsync(new MqttConnAckPacket { ReturnCode = code, ReasonCode = ReasonFor(code) }, cancellationToken);
            return null!; // no CONNECT: MQTTnet closes the connection
        }

        /// <summary>
        /// Whether the CONNECT's protocol level had its top bit set (0x84, 0x85: the "bridge" flag of a non-standard
        /// extension IoTRoutes does not support). MQTTnet masks the bit off and goes on as 3.1.1 or 5.0; the level byte is
        /// read back from the CONNECT body that its version detection left in the formatter's reader.
        /// </summary>
        private static bool HasBridgeFlag(MqttPacketFormatterAdapter formatter)
        {
            var reader = ReaderOf(formatter);
            var body = BufferOf(reader);
            var at = OffsetOf(reader);
            if (body.Length < at + 2)
            {
                return false;
            }

            var level = at + 2 + ((body[at] << 8) | body[at + 1]);
            return level < body.Length && (body[level] & 0x80) != 0;
        }

        private MqttConnectReturnCode? RefusalFor(MqttProtocolViolationException e) => e.Message switch
        {
            var m when m.StartsWith("Protocol level", StringComparison.Ordinal) => MqttConnectReturnCode.ConnectionRefusedUnacceptableProtocolVersion,
            var m when m.Contains("[MQTT-3.1.3-7]", StringComparison.Ordinal) && PacketFormatterAdapter.ProtocolVersion is MqttProtocolVersion.V311 or MqttProtocolVersion.V310
                => MqttConnectReturnCode.ConnectionRefusedIdentifierRejected,
            _ => null,
        };

        private static MqttConnectReasonCode ReasonFor(MqttConnectReturnCode code) => code == MqttConnectReturnCode.ConnectionRefusedIdentifierRejected
            ? MqttConnectReasonCode.ClientIdentifierNotValid
            : MqttConnectReasonCode.UnsupportedProtocolVersion;

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_bufferReader")]
        private static extern ref MqttBufferReader ReaderOf(MqttPacketFormatterAdapter adapter);

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_buffer")]
        private static extern ref byte[] BufferOf(MqttBufferReader reader);

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_offset")]
        private static extern ref int OffsetOf(MqttBufferReader reader);

        // MQTTnet sets the formatter's version only from a CONNECT it could read; pinned MQTTnet version (see ClientIdAssignment).
        [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "UseProtocolVersion")]
        private static extern void UseProtocolVersion(MqttPacketFormatterAdapter adapter, MqttProtocolVersion version);
    }
}
