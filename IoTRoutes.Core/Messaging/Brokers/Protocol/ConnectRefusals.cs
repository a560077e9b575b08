using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// Answers the CONNECTs that MQTTnet's decoder rejects before any server event runs, as MQTT 3.1.1 requires:
/// an unsupported protocol level gets CONNACK 0x01 (MQTT-3.1.2-2) and an empty client id without a clean session
/// CONNACK 0x02 (MQTT-3.1.3-8), then the connection closes. Wraps each server adapter's channel adapters.
/// </summary>
internal sealed class ConnectRefusals(IMqttServerAdapter inner) : IMqttServerAdapter
{
    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        inner.ClientHandler = adapter => ClientHandler is { } handler ? handler(new FirstPacketGuard(adapter)) : Task.CompletedTask;
        return inner.StartAsync(options, logger);
    }

    public Task StopAsync() => inner.StopAsync();

    public void Dispose() => inner.Dispose();

    private sealed class FirstPacketGuard(IMqttChannelAdapter inner) : IMqttChannelAdapter
    {
        private bool _first = true;

        public long BytesReceived => inner.BytesReceived;
        public long BytesSent => inner.BytesSent;
        public X509Certificate2 ClientCertificate => inner.ClientCertificate;
        public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
        public EndPoint LocalEndPoint => inner.LocalEndPoint;
        public bool IsSecureConnection => inner.IsSecureConnection;
        public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

        public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

        public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

        public void ResetStatistics() => inner.ResetStatistics();

        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => inner.SendPacketAsync(packet, cancellationToken);

        public void Dispose() => inner.Dispose();

        public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
        {
            if (!_first)
            {
                return await inner.ReceivePacketAsync(cancellationToken);
            }

            _first = false;
            try
            {
                return await inner.ReceivePacketAsync(cancellationToken);
            }
            catch (MqttProtocolViolationException e) when (RefusalFor(e) is { } code)
            {
                if (PacketFormatterAdapter.ProtocolVersion == MqttProtocolVersion.Unknown)
                {
                    UseProtocolVersion(PacketFormatterAdapter, MqttProtocolVersion.V311); // the CONNACK every MQTT version can read
                }

                await inner.SendPacketAsync(new MqttConnAckPacket { ReturnCode = code, ReasonCode = ReasonFor(code) }, cancellationToken);
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
