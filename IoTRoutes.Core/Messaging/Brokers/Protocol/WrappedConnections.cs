using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// A server adapter of another transport (WebSocket) whose connections reach MQTTnet through <paramref name="wrap"/>,
/// bounded like the broker's own TCP ones: a place among those awaiting CONNECT, and the CONNECT timeout.
/// </summary>
internal sealed class WrappedConnections(
    IMqttServerAdapter inner, Func<IMqttChannelAdapter, IMqttChannelAdapter> wrap, PendingConnects pending, TimeSpan connectTimeout,
    Action<EndPoint?, string> onRefused) : IMqttServerAdapter
{
    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        inner.ClientHandler = ServeAsync;
        return inner.StartAsync(options, logger);
    }

    public Task StopAsync() => inner.StopAsync();

    public void Dispose() => inner.Dispose();

    private async Task ServeAsync(IMqttChannelAdapter adapter)
    {
        if (ClientHandler is not { } handler)
        {
            return;
        }

        if (pending.TryEnter(adapter.RemoteEndPoint, out var refusal) is not { } lease)
        {
            onRefused(adapter.RemoteEndPoint, refusal!);
            return; // the transport closes the connection
        }

        try
        {
            await handler(new AwaitingConnect(wrap(adapter), lease, new CancellationTokenSource(connectTimeout)));
        }
        finally
        {
            lease.Dispose();
        }
    }
}

/// <summary>A connection's channel adapter that hands everything to <c>inner</c>; a wrapper overrides what it changes.</summary>
internal abstract class ChannelAdapterDecorator(IMqttChannelAdapter inner) : IMqttChannelAdapter
{
    protected IMqttChannelAdapter Inner => inner;

    public long BytesReceived => inner.BytesReceived;
    public long BytesSent => inner.BytesSent;
    public X509Certificate2 ClientCertificate => inner.ClientCertificate;
    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => inner.LocalEndPoint;
    public bool IsSecureConnection => inner.IsSecureConnection;
    public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public virtual Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public virtual Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) => inner.ReceivePacketAsync(cancellationToken);

    public void ResetStatistics() => inner.ResetStatistics();

    public virtual Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => inner.SendPacketAsync(packet, cancellationToken);

    public virtual void Dispose() => inner.Dispose();
}
