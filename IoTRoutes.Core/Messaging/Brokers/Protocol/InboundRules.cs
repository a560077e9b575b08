using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// The rules on what a client sends that MQTTnet 5.2 does not apply, checked as each packet is read and before MQTTnet
/// acts on it. A violation sends DISCONNECT with its reason code and ends the connection (the will is published, as
/// for any end without a valid DISCONNECT):
/// <list type="bullet">
/// <item>Topic aliases (MQTT 5 §3.3.2.3.4): 0, above the Topic Alias Maximum announced in CONNACK, or not set on this
/// connection: 0x94; an empty topic without an alias: 0x82.</item>
/// <item>Receive Maximum (§3.3.4, §4.9): more unacknowledged QoS 1/2 publishes than announced: 0x93. MQTT 3.1.1 has no
/// such limit to tell the client, so there the connection is simply not read from until one is acknowledged.</item>
/// <item>Session Expiry at DISCONNECT (§3.14.2.2.2): non-zero after a CONNECT with none: 0x82. A valid one replaces the
/// CONNECT's interval (an absent one keeps it), so MQTTnet and the broker's expiry sweep see what the client asked last.</item>
/// <item>U+0000 in a string (3.1.1 §1.5.3, 5.0 §1.5.4): a malformed packet. A CONNECT gets CONNACK 0x81 (3.1.1: no
/// answer), a later packet DISCONNECT 0x81, and the connection closes; MQTTnet's decoder lets the character through.</item>
/// </list>
/// </summary>
internal sealed class InboundRules(IMqttChannelAdapter inner, InboundLimits limits) : ChannelAdapterDecorator(inner)
{
    private readonly HashSet<ushort> _aliases = [];
    private readonly HashSet<ushort> _unacknowledged = [];
    private TaskCompletionSource? _windowFreed; // set while a 3.1.1 connection waits for room
    private volatile bool _disconnected;
    private MqttConnectPacket? _connect;
    private PropertyPresence? _properties;
    private bool _v5;
    private uint _connectSessionExpiry;

    /// <summary>Unacknowledged QoS 1/2 publishes from the client, as counted for the Receive Maximum.</summary>
    internal int Unacknowledged
    {
        get
        {
            lock (_unacknowledged)
            {
                return _unacknowledged.Count;
            }
        }
    }

    public override Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
    {
        if (_connect is null || (!_v5 && Unacknowledged >= limits.ReceiveMaximum))
        {
            return ReceiveSlowlyAsync(cancellationToken);
        }

        // Packets already buffered complete at once: checked without a task of this layer's own.
        var receiving = Inner.ReceivePacketAsync(cancellationToken);
        if (!receiving.IsCompletedSuccessfully)
        {
            return CheckWhenReceivedAsync(receiving, cancellationToken);
        }

        return Check(receiving.Result) is { } violation ? RefuseAsync(violation, cancellationToken) : receiving;
    }

    public override Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken)
    {
        var acknowledged = packet switch
        {
            MqttPubAckPacket ack => ack.PacketIdentifier,
            MqttPubCompPacket comp => comp.PacketIdentifier,
            // A refused QoS 2 publish ends with its PUBREC; on 3.1.1 the PUBREC frees the place too, because the PUBCOMP
            // waits for a PUBREL that a connection no longer read from could never deliver.
            MqttPubRecPacket rec when !_v5 || rec.ReasonCode >= MqttPubRecReasonCode.UnspecifiedError => rec.PacketIdentifier,
            _ => (ushort)0,
        };
        if (_disconnected)
        {
            return Task.CompletedTask; // MQTT-3.14.4-1: nothing after the broker's DISCONNECT
        }

        if (acknowledged != 0)
        {
            TaskCompletionSource? waiting = null;
            lock (_unacknowledged)
            {
                if (_unacknowledged.Remove(acknowledged))
                {
                    (waiting, _windowFreed) = (_windowFreed, null);
                }
            }

            waiting?.TrySetResult();
        }

        return Inner.SendPacketAsync(packet, cancellationToken);
    }

    private async Task<MqttPacket> ReceiveSlowlyAsync(CancellationToken cancellationToken)
    {
        if (_connect is not null)
        {
            await WaitForWindowAsync(cancellationToken);
        }

        var packet = await Inner.ReceivePacketAsync(cancellationToken);
        if (_connect is null)
        {
            if (packet is MqttConnectPacket connect)
            {
                if (ConnectHasNul(connect))
                {
                    await RefuseConnectAsync(cancellationToken);
                    return null!;
                }

                _connect = connect;
                _v5 = PacketFormatterAdapter.ProtocolVersion == MqttProtocolVersion.V500;
                _connectSessionExpiry = connect.SessionExpiryInterval;
                _properties = PropertyPresence.Install(PacketFormatterAdapter);
            }

            return packet;
        }

        return Check(packet) is { } violation ? await RefuseAsync(violation, cancellationToken) : packet;
    }

    private async Task<MqttPacket> CheckWhenReceivedAsync(Task<MqttPacket> receiving, CancellationToken cancellationToken)
    {
        var packet = await receiving;
        return Check(packet) is { } violation ? await RefuseAsync(violation, cancellationToken) : packet;
    }

    /// <summary>Answers a violation with DISCONNECT; null makes MQTTnet end the connection without acting on the packet.</summary>
    private async Task<MqttPacket> RefuseAsync(Violation violation, CancellationToken cancellationToken)
    {
        await CloseAsync(violation.Code, violation.Text, cancellationToken);
        return null!;
    }

    private Violation? Check(MqttPacket? packet) => packet switch
    {
        MqttPublishPacket publish => HasNul(publish.Topic) || HasNul(publish.ResponseTopic) || HasNul(publish.ContentType) || HasNul(publish.UserProperties)
            ? Malformed("a topic name, response topic, content type or user property")
            : CheckPublish(publish),
        MqttSubscribePacket subscribe when subscribe.TopicFilters.Exists(f => HasNul(f.Topic)) => Malformed("a topic filter"),
        MqttUnsubscribePacket unsubscribe when unsubscribe.TopicFilters.Exists(HasNul) => Malformed("a topic filter"),
        MqttDisconnectPacket disconnect when _v5 => CheckDisconnect(disconnect),
        _ => null,
    };

    private static Violation Malformed(string where) =>
        new(MqttDisconnectReasonCode.MalformedPacket, $"U+0000 in {where}: MQTT strings cannot contain it.");

    private static bool HasNul(string? text) => text is not null && text.Contains('\0');

    private static bool HasNul(List<MqttUserProperty>? properties) =>
        properties is { Count: > 0 } && properties.Exists(p => HasNul(p.Name) || p.ValueBuffer.Span.Contains((byte)0));

    private static bool ConnectHasNul(MqttConnectPacket c) =>
        HasNul(c.ClientId) || HasNul(c.Username) || HasNul(c.WillTopic) || HasNul(c.AuthenticationMethod) || HasNul(c.WillResponseTopic)
        || HasNul(c.WillContentType) || HasNul(c.UserProperties) || HasNul(c.WillUserProperties);

    /// <summary>A CONNECT with U+0000 in a string: MQTT 5 is told 0x81 in CONNACK; 3.1.1 has no code for it and is just closed.</summary>
    private async Task RefuseConnectAsync(CancellationToken cancellationToken)
    {
        const string text = "U+0000 in a string of the CONNECT: MQTT strings cannot contain it.";
        limits.OnViolation(RemoteEndPoint?.ToString(), MqttDisconnectReasonCode.MalformedPacket, text);
        if (PacketFormatterAdapter.ProtocolVersion != MqttProtocolVersion.V500)
        {
            return;
        }

        try
        {
            await Inner.SendPacketAsync(new MqttConnAckPacket { ReasonCode = MqttConnectReasonCode.MalformedPacket, ReasonString = text }, cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The connection is going either way.
        }
    }

    private Violation? CheckPublish(MqttPublishPacket publish)
    {
        if (_v5 && CheckTopicAlias(publish) is { } aliasViolation)
        {
            return aliasViolation;
        }

        if (publish.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
        {
            return null;
        }

        lock (_unacknowledged)
        {
            // A DUP of a publish still unacknowledged is the same one again, not one more.
            if (_unacknowledged.Add(publish.PacketIdentifier) && _unacknowledged.Count > limits.ReceiveMaximum && _v5)
            {
                return new Violation(MqttDisconnectReasonCode.ReceiveMaximumExceeded,
                    $"More than {limits.ReceiveMaximum} QoS 1 and 2 publishes unacknowledged (the Receive Maximum announced in CONNACK).");
            }
        }

        return null;
    }

    private Violation? CheckTopicAlias(MqttPublishPacket publish)
    {
        var alias = publish.TopicAlias;
        if (alias == 0)
        {
            if (_properties?.Had(PropertyPresence.TopicAlias) == true)
            {
                return new Violation(MqttDisconnectReasonCode.TopicAliasInvalid, "Topic Alias 0 is not permitted.");
            }

            return string.IsNullOrEmpty(publish.Topic)
                ? new Violation(MqttDisconnectReasonCode.ProtocolError, "A PUBLISH needs a topic name or a topic alias.")
                : null;
        }

        if (alias > limits.TopicAliasMaximum)
        {
            return new Violation(MqttDisconnectReasonCode.TopicAliasInvalid, $"Topic Alias {alias} is above the Topic Alias Maximum of {limits.TopicAliasMaximum}.");
        }

        if (!string.IsNullOrEmpty(publish.Topic))
        {
            _aliases.Add(alias);
            return null;
        }

        return _aliases.Contains(alias)
            ? null
            : new Violation(MqttDisconnectReasonCode.TopicAliasInvalid, $"Topic Alias {alias} has not been set on this connection.");
    }

    private Violation? CheckDisconnect(MqttDisconnectPacket disconnect)
    {
        if (_properties?.Had(PropertyPresence.SessionExpiryInterval) != true)
        {
            disconnect.SessionExpiryInterval = _connectSessionExpiry; // absent: the CONNECT's interval stands
            return null;
        }

        if (_connectSessionExpiry == 0 && disconnect.SessionExpiryInterval > 0)
        {
            return new Violation(MqttDisconnectReasonCode.ProtocolError, "The CONNECT had no Session Expiry Interval: the DISCONNECT cannot set one.");
        }

        // MQTTnet decides from the CONNECT whether the session outlives the connection; the DISCONNECT's value replaces it.
        _connect!.SessionExpiryInterval = disconnect.SessionExpiryInterval;
        return null;
    }

    private async Task WaitForWindowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task freed;
            lock (_unacknowledged)
            {
                if (_unacknowledged.Count < limits.ReceiveMaximum)
                {
                    return;
                }

                freed = (_windowFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            await freed.WaitAsync(cancellationToken);
        }
    }

    private async Task CloseAsync(MqttDisconnectReasonCode code, string text, CancellationToken cancellationToken)
    {
        limits.OnViolation(RemoteEndPoint?.ToString(), code, text);
        try
        {
            await Inner.SendPacketAsync(new MqttDisconnectPacket { ReasonCode = code, ReasonString = text }, cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The connection is going either way.
        }
        finally
        {
            _disconnected = true;
        }
    }

    private sealed record Violation(MqttDisconnectReasonCode Code, string Text);
}

/// <summary>What <see cref="InboundRules"/> enforces on each connection of a broker, and whom it tells of a violation.</summary>
internal sealed record InboundLimits(int ReceiveMaximum, ushort TopicAliasMaximum, Action<string?, MqttDisconnectReasonCode, string> OnViolation);
