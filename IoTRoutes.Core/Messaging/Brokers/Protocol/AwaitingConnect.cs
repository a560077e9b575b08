using MQTTnet.Adapter;
using MQTTnet.Packets;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// The outermost wrapper of a connection: its first packet must arrive before <paramref name="deadline"/> fires (the
/// broker's CONNECT timeout, counted from the accept, TLS handshake included), and once it has, the connection gives
/// back its place among those awaiting CONNECT.
/// </summary>
internal sealed class AwaitingConnect(IMqttChannelAdapter inner, PendingConnects.Lease lease, CancellationTokenSource deadline)
    : ChannelAdapterDecorator(inner)
{
    private bool _started; // only MQTTnet's receive loop reads

    public override Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) =>
        _started ? Inner.ReceivePacketAsync(cancellationToken) : FirstPacketAsync(cancellationToken);

    public override void Dispose()
    {
        Release();
        base.Dispose();
    }

    private async Task<MqttPacket> FirstPacketAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            return await Inner.ReceivePacketAsync(linked.Token);
        }
        finally
        {
            _started = true;
            Release();
        }
    }

    private void Release()
    {
        lease.Dispose();
        deadline.Dispose();
    }
}
