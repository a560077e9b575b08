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
/// CONNACK 0x02 (MQTT-3.1.3-8), then the connection closes. Wraps each connection's channel adapter.
/// </summary>
internal static class ConnectRefusals
{
    /// <summary>The connection's adapter, answering what MQTTnet's decoder refuses in a first packet.</summary>
    public static IMqttChannelAdapter Wrap(IMqttChannelAdapter adapter) => new FirstPacketGuard(adapter);

    private sealed class FirstPacketGuard(IMqttChannelAdapter adapter) : ChannelAdapterDecorator(adapter)
    {
        private bool _first = true;

        public override Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) =>
            _first ? ReceiveFirstAsync(cancellationToken) : Inner.ReceivePacketAsync(cancellationToken);

        private async Task<MqttPacket> ReceiveFirstAsync(CancellationToken cancellationToken)
        {
            _first = false;
            try
            {
                return await Inner.ReceivePacketAsync(cancellationToken);
            }
            catch (MqttProtocolViolationException e) when (RefusalFor(e) is { } code)
            {
                if (PacketFormatterAdapter.ProtocolVersion == MqttProtocolVersion.Unknown)
                {
                    UseProtocolVersion(PacketFormatterAdapter, MqttProtocolVersion.V311); // the CONNACK every MQTT version can read
                }

                await Inner.SendPacketAsync(new MqttConnAckPacket { ReturnCode = code, ReasonCode = ReasonFor(code) }, cancellationToken);
                return null!; // no CONNECT: MQTTnet closes the connection
            }
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

        // MQTTnet sets the formatter's version only from a CONNECT it could read; pinned MQTTnet version (see ClientIdAssignment).
        [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "UseProtocolVersion")]
        private static extern void UseProtocolVersion(MqttPacketFormatterAdapter adapter, MqttProtocolVersion version);
    }
}
