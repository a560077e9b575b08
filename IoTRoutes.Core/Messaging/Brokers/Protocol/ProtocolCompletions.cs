using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// The parts of MQTT 5 (and one of 3.1.1) that MQTTnet 5.2's server leaves out, completed through its events:
/// message expiry (queued, in-flight and retained messages), will delay and DISCONNECT 0x04, the client's maximum
/// packet size, server keep-alive, and the DUP flag on redelivery. See docs/architecture.md for what comes from where.
/// </summary>
internal sealed class ProtocolCompletions(BrokerDefinition definition, TimeProvider clock, ILogger logger)
{
    private static readonly SessionItemKey ClientItem = new("iotroutes.client");

    // Keyed by the payload's backing object, which MQTTnet shares between a received message, the packets it
    // creates for every subscriber, and the retained copy: a stamp follows the message without changing it.
    private readonly ConditionalWeakTable<object, ExpiryStamp> _expiries = new();
    private readonly ConditionalWeakTable<MqttPublishPacket, object> _sent = new();
    private readonly ConcurrentDictionary<string, DelayedWill> _delayedWills = new(StringComparer.Ordinal);
    private MqttServer? _server;

    /// <summary>The broker calls <see cref="OnOutboundAsync"/> from its own outbound interceptor, after its CONNACK checks.</summary>
    public void Attach(MqttServer server) => _server = server;

    /// <summary>Puts a connection's state into its session's items (for a resumed session, the items of the old one).</summary>
    public static void Install(IDictionary sessionItems, object state) => sessionItems[ClientItem] = state;

    /// <summary>
    /// What the client asked for at CONNECT, as this connection's state (see <see cref="Install"/>); applies the broker's
    /// keep-alive limit to MQTT 5 clients.
    /// </summary>
    public object OnAccepted(ValidatingConnectionEventArgs args, string clientId, uint sessionExpirySeconds)
    {
        var packet = ClientIdAssignment.ConnectPacket(args);
        var v5 = args.ProtocolVersion == MqttProtocolVersion.V500;
        ushort? serverKeepAlive = null;
        if (v5 && definition.MaxKeepAliveSeconds > 0 && (packet.KeepAlivePeriod == 0 || packet.KeepAlivePeriod > definition.MaxKeepAliveSeconds))
        {
            // MQTT 5 lets the server set the keep-alive (Server Keep Alive in CONNACK); MQTTnet's monitor follows the packet.
            serverKeepAlive = (ushort)definition.MaxKeepAliveSeconds;
            packet.KeepAlivePeriod = serverKeepAlive.Value;
        }

        // A will waits for its delay or the end of the session, whichever comes first; Task.Delay takes at most ~24 days.
        var willDelay = v5 ? Math.Min(Math.Min(packet.WillDelayInterval, sessionExpirySeconds), 2_000_000u) : 0;
        var will = packet.WillFlag ? new WillOf(packet.WillMessage, packet.WillTopic, willDelay, BuildWill(packet)) : null;
        var flow = v5 && packet.ReceiveMaximum is > 0 and < ushort.MaxValue ? new FlowControl(packet.ReceiveMaximum) : null;
        var aliases = v5 && packet.TopicAliasMaximum > 0 ? new TopicAliases(packet.TopicAliasMaximum) : null;
        var state = new ClientState(v5, packet.MaximumPacketSize, serverKeepAlive, will, flow, aliases);

        if (_delayedWills.TryRemove(clientId, out var pending))
        {
            // A new connection to the session before the delay passed: no will. With a clean start the old session
            // ends now, and with it the delay.
            if (packet.CleanSession)
            {
                pending.ReleaseNow();
            }
            else
            {
                pending.Cancel();
            }
        }

        return state;
    }

    /// <summary>
    /// First look at every publish: stamps messages that carry an expiry, and holds back a will that must wait for
    /// its delay. Returns true when the publish was taken over (the caller does nothing more).
    /// </summary>
    public bool OnPublish(InterceptingPublishEventArgs args, bool forwarded)
    {
        var message = args.ApplicationMessage;
        if (forwarded && message.MessageExpiryInterval > 0)
        {
            Stamp(message);
        }

        if (args.SessionItems[ClientItem] is ClientState { Will: { } will } && will.IsThis(message) && will.DelaySeconds > 0 && !will.Released)
        {
            args.ProcessPublish = false;
            Schedule(args.ClientId, will, args.SessionItems);
            return true;
        }

        return false;
    }

    /// <summary>DISCONNECT with reason 0x04 asks for the will, which MQTTnet skips on any DISCONNECT.</summary>
    public void OnDisconnected(ClientDisconnectedEventArgs args)
    {
        if (args.ReasonCode == MqttDisconnectReasonCode.DisconnectWithWillMessage && args.SessionItems[ClientItem] is ClientState { Will: { } will })
        {
            if (will.DelaySeconds > 0)
            {
                Schedule(args.ClientId, will, args.SessionItems);
            }
            else
            {
                _ = ReleaseAsync(args.ClientId, will, args.SessionItems);
            }
        }
    }

    private void Stamp(MqttApplicationMessage message)
    {
        if (message.Payload.IsEmpty)
        {
            message.Payload = new System.Buffers.ReadOnlySequence<byte>(new byte[0]); // a payload object of its own to key on
        }

        if (message.Payload.Start.GetObject() is { } key)
        {
            _expiries.AddOrUpdate(key, new ExpiryStamp(clock.GetUtcNow(), message.MessageExpiryInterval));
        }
    }

    private void Schedule(string clientId, WillOf will, IDictionary sessionItems)
    {
        var delayed = new DelayedWill(() => ReleaseAsync(clientId, will, sessionItems));
        if (_delayedWills.TryGetValue(clientId, out var earlier))
        {
            earlier.Cancel();
        }

        _delayedWills[clientId] = delayed;
        delayed.Start(TimeSpan.FromSeconds(will.DelaySeconds), clock);
    }

    private async Task ReleaseAsync(string clientId, WillOf will, IDictionary sessionItems)
    {
        _delayedWills.TryRemove(clientId, out _);
        if (_server is not { IsStarted: true } server)
        {
            return;
        }

        try
        {
            will.Released = true;
            var message = will.Message;
            if (message.MessageExpiryInterval > 0)
            {
                Stamp(message);
            }

            await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = clientId, CustomSessionItems = sessionItems });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Broker {Broker}: publishing the will of {ClientId} failed", definition.Name, clientId);
        }
    }

    /// <summary>A PUBACK or PUBCOMP from the client frees a place in its receive window.</summary>
    public void OnAcknowledged(ClientAcknowledgedPublishPacketEventArgs args)
    {
        if (args.IsCompleted && args.SessionItems[ClientItem] is ClientState { Flow: { } flow })
        {
            flow.Completed(args.PublishPacket.PacketIdentifier);
        }
    }

    public async Task OnOutboundAsync(InterceptingPacketEventArgs args)
    {
        var client = args.SessionItems[ClientItem] as ClientState;
        switch (args.Packet)
        {
            case MqttConnAckPacket connAck:
                connAck.SharedSubscriptionAvailable = true; // see SharedSubscriptions
                if (client?.ServerKeepAlive is { } keepAlive)
                {
                    connAck.ServerKeepAlive = keepAlive;
                }

                break;
            case MqttPublishPacket publish:
                if (IsExpired(publish))
                {
                    args.ProcessPacket = false;
                    break;
                }

                if (client is { MaximumPacketSize: > 0 } && EncodedSize(publish, client.V5) > client.MaximumPacketSize)
                {
                    // MQTT 5 §3.1.2.11.4: a packet the client cannot take is discarded as if delivered.
                    args.ProcessPacket = false;
                    break;
                }

                if (client?.Aliases is { } aliases)
                {
                    aliases.Apply(publish);
                }
                else
                {
                    publish.TopicAlias = 0; // MQTTnet copies the publisher's alias, which means nothing to this client
                }

                if (publish.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce)
                {
                    if (!_sent.TryAdd(publish, publish))
                    {
                        publish.Dup = true; // the same packet again: a redelivery after the session resumed
                    }

                    if (client?.Flow is { } flow)
                    {
                        // MQTT 5 §4.9: no more unacknowledged QoS 1/2 publishes than the client's Receive Maximum. Waiting
                        // here holds this client's send loop (and only it) until the client acknowledges one.
                        await flow.EnterAsync(publish.PacketIdentifier, args.CancellationToken);
                    }
                }

                break;
        }
    }

    private bool IsExpired(MqttPublishPacket publish)
    {
        if (publish.MessageExpiryInterval == 0 || publish.Payload.Start.GetObject() is not { } key || !_expiries.TryGetValue(key, out var stamp))
        {
            return false;
        }

        var waited = (clock.GetUtcNow() - stamp.ReceivedAt).TotalSeconds;
        var remaining = stamp.ExpirySeconds - waited;
        if (remaining <= 0)
        {
            return true;
        }

        // The receiver sees the time the message has left, not the time it was sent with (MQTT 5 §3.3.2.3.3).
        publish.MessageExpiryInterval = (uint)Math.Ceiling(remaining);
        return false;
    }

    private static long EncodedSize(MqttPublishPacket publish, bool v5)
    {
        var formatter = new MqttPacketFormatterAdapter(v5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311, new MqttBufferWriter(4096, 65535));
        return formatter.Encode(publish).Length;
    }

    private static MqttApplicationMessage BuildWill(MqttConnectPacket packet) => new()
    {
        Topic = packet.WillTopic,
        Payload = packet.WillMessage is { Length: > 0 } payload ? new System.Buffers.ReadOnlySequence<byte>(payload) : default,
        QualityOfServiceLevel = packet.WillQoS,
        Retain = packet.WillRetain,
        ContentType = packet.WillContentType,
        CorrelationData = packet.WillCorrelationData,
        MessageExpiryInterval = packet.WillMessageExpiryInterval,
        PayloadFormatIndicator = packet.WillPayloadFormatIndicator,
        ResponseTopic = packet.WillResponseTopic,
        UserProperties = packet.WillUserProperties,
    };

    private sealed record ExpiryStamp(DateTimeOffset ReceivedAt, uint ExpirySeconds);

    private sealed record ClientState(bool V5, uint MaximumPacketSize, ushort? ServerKeepAlive, WillOf? Will, FlowControl? Flow, TopicAliases? Aliases);

    /// <summary>
    /// Topic aliases towards one connection (MQTT 5 §3.3.2.3.4): the first message on a topic carries topic and alias,
    /// later QoS 0 messages only the alias. QoS 1/2 packets keep their topic, because MQTTnet sends the same packet
    /// object again on a later connection, where this connection's aliases mean nothing.
    /// </summary>
    private sealed class TopicAliases(ushort maximum)
    {
        private readonly Dictionary<string, ushort> _aliases = new(StringComparer.Ordinal); // one send loop per connection: no locking

        public void Apply(MqttPublishPacket publish)
        {
            if (_aliases.TryGetValue(publish.Topic, out var alias))
            {
                publish.TopicAlias = alias;
                if (publish.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
                {
                    publish.Topic = "";
                }
            }
            else if (_aliases.Count < maximum && publish.Topic.Length > 0)
            {
                alias = (ushort)(_aliases.Count + 1);
                _aliases[publish.Topic] = alias;
                publish.TopicAlias = alias;
            }
            else
            {
                publish.TopicAlias = 0;
            }
        }
    }

    /// <summary>The client's receive window: packet ids sent and not yet acknowledged, at most its Receive Maximum.</summary>
    private sealed class FlowControl(ushort receiveMaximum)
    {
        private readonly SemaphoreSlim _window = new(receiveMaximum, receiveMaximum);
        private readonly ConcurrentDictionary<ushort, bool> _inFlight = new();

        public async Task EnterAsync(ushort packetId, CancellationToken ct)
        {
            if (_inFlight.ContainsKey(packetId))
            {
                return; // already counted (sent again on this connection)
            }

            await _window.WaitAsync(ct);
            if (!_inFlight.TryAdd(packetId, true))
            {
                _window.Release();
            }
        }

        public void Completed(ushort packetId)
        {
            if (_inFlight.TryRemove(packetId, out _))
            {
                _window.Release();
            }
        }
    }

    private sealed class WillOf(byte[]? payload, string topic, uint delaySeconds, MqttApplicationMessage message)
    {
        public uint DelaySeconds => delaySeconds;

        public MqttApplicationMessage Message => message;

        public bool Released { get; set; }

        /// <summary>
        /// Whether MQTTnet is publishing this client's will: it builds it on the CONNECT packet's payload array, which no
        /// ordinary publish shares. A will with an empty payload cannot be told apart that way and is not delayed.
        /// </summary>
        public bool IsThis(MqttApplicationMessage candidate) =>
            payload is { Length: > 0 } && candidate.Topic == topic && ReferenceEquals(candidate.Payload.Start.GetObject(), payload);
    }

    private sealed class DelayedWill(Func<Task> release)
    {
        private readonly CancellationTokenSource _cancel = new();

        public void Start(TimeSpan delay, TimeProvider clock) => _ = RunAsync(delay, clock);

        public void Cancel() => _cancel.Cancel();

        public void ReleaseNow()
        {
            _cancel.Cancel();
            _ = release();
        }

        private async Task RunAsync(TimeSpan delay, TimeProvider clock)
        {
            try
            {
                await Task.Delay(delay, clock, _cancel.Token);
                await release();
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
