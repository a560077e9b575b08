using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// Topic aliases towards a client that allows them (MQTT 5 §3.3.2.3.4, the Topic Alias Maximum of its CONNECT): the
/// first PUBLISH on a topic carries the topic and a new alias, later ones an empty topic and the alias, at every QoS.
/// Applied where packets reach the wire, in the order they do, so an alias is always set before it is used, whichever
/// of MQTTnet's send loop and <see cref="ProtocolCompletions"/>' flow control sends the packet. MQTTnet keeps a QoS 1/2
/// packet to send it again on a later connection, where this connection's aliases mean nothing, so the alias goes on a
/// copy. A client that allows none gets no alias at all (nor the publisher's, which MQTTnet copies onto the packet).
/// </summary>
internal sealed class OutboundTopicAliases(IMqttChannelAdapter inner) : ChannelAdapterDecorator(inner)
{
    private readonly Dictionary<string, ushort> _aliases = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private ushort _maximum;
    private bool _connected;

    public override Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) =>
        _connected ? Inner.ReceivePacketAsync(cancellationToken) : ReceiveConnectAsync(cancellationToken);

    public override Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) =>
        packet is MqttPublishPacket publish && (_maximum > 0 || publish.TopicAlias != 0)
            ? SendAliasedAsync(publish, cancellationToken)
            : Inner.SendPacketAsync(packet, cancellationToken);

    private async Task<MqttPacket> ReceiveConnectAsync(CancellationToken cancellationToken)
    {
        var packet = await Inner.ReceivePacketAsync(cancellationToken);
        _connected = true;
        if (packet is MqttConnectPacket connect && PacketFormatterAdapter.ProtocolVersion == MqttProtocolVersion.V500)
        {
            // As many as the client allows, up to what the broker keeps per connection.
            _maximum = Math.Min(connect.TopicAliasMaximum, BrokerRules.TopicAliasMaximum);
        }

        return packet;
    }

    private async Task SendAliasedAsync(MqttPublishPacket publish, CancellationToken cancellationToken)
    {
        // Choosing the alias and writing the packet are one step: the packet that sets an alias leaves before any that use it.
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await Inner.SendPacketAsync(Aliased(publish), cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    private MqttPublishPacket Aliased(MqttPublishPacket publish)
    {
        var copy = Copy(publish);
        if (_maximum == 0 || string.IsNullOrEmpty(publish.Topic))
        {
            copy.TopicAlias = 0;
        }
        else if (_aliases.TryGetValue(publish.Topic, out var alias))
        {
            copy.TopicAlias = alias;
            copy.Topic = "";
        }
        else if (_aliases.Count < _maximum)
        {
            alias = (ushort)(_aliases.Count + 1);
            _aliases[publish.Topic] = alias;
            copy.TopicAlias = alias;
        }
        else
        {
            copy.TopicAlias = 0; // every alias is taken: the full topic, as without aliases
        }

        return copy;
    }

    private static MqttPublishPacket Copy(MqttPublishPacket p) => new()
    {
        PacketIdentifier = p.PacketIdentifier,
        Topic = p.Topic,
        TopicAlias = p.TopicAlias,
        Payload = p.Payload,
        QualityOfServiceLevel = p.QualityOfServiceLevel,
        Retain = p.Retain,
        Dup = p.Dup,
        ContentType = p.ContentType,
        CorrelationData = p.CorrelationData,
        MessageExpiryInterval = p.MessageExpiryInterval,
        PayloadFormatIndicator = p.PayloadFormatIndicator,
        ResponseTopic = p.ResponseTopic,
        SubscriptionIdentifiers = p.SubscriptionIdentifiers,
        UserProperties = p.UserProperties,
    };
}
