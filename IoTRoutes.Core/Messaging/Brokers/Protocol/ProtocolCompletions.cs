using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// The parts of MQTT 5 (and one of 3.1.1) that MQTTnet 5.2's server leaves out, completed through its events:
/// message expiry (queued, in-flight and retained messages), will delay and DISCONNECT 0x04, the client's maximum
/// packet size, server keep-alive, the client's receive window, what CONNACK announces, and the DUP flag on redelivery. See docs/architecture.md for what comes from where.
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

    /// <summary>The connection is closing for a protocol violation: its parked publishes are not sent any more.</summary>
    public static void StopDelivering(IDictionary sessionItems)
    {
        if (sessionItems[ClientItem] is ClientState { Flow: { } flow })
        {
            flow.Close();
        }
    }

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
        ClientState? state = null;
        var flow = v5 && packet.ReceiveMaximum is > 0 and < ushort.MaxValue
            ? new FlowControl(packet.ReceiveMaximum, definition.MaxQueuedMessages, args.ChannelAdapter, parked => PrepareParked(parked, state))
            : null;
        state = new ClientState(v5, packet.MaximumPacketSize, serverKeepAlive, will, flow);

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
            Schedule(args.ClientId, will, args.SessionItems, will.DelaySeconds);
            return true;
        }

        return false;
    }

    /// <summary>
    /// The connection ended: its parked publishes stay in the session for the next connection. DISCONNECT with reason 0x04
    /// asks for the will, which MQTTnet skips on any DISCONNECT; it waits for its delay or the end of the session
    /// (<paramref name="sessionExpirySeconds"/> from now, as the DISCONNECT may have changed it), whichever comes first.
    /// </summary>
    public void OnDisconnected(ClientDisconnectedEventArgs args, uint sessionExpirySeconds)
    {
        if (args.SessionItems[ClientItem] is ClientState { Flow: { } flow })
        {
            flow.Close();
        }

        if (args.ReasonCode == MqttDisconnectReasonCode.DisconnectWithWillMessage && args.SessionItems[ClientItem] is ClientState { Will: { } will })
        {
            var delay = Math.Min(will.DelaySeconds, sessionExpirySeconds);
            if (delay > 0)
            {
                Schedule(args.ClientId, will, args.SessionItems, delay);
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

    private void Schedule(string clientId, WillOf will, IDictionary sessionItems, uint delaySeconds)
    {
        var delayed = new DelayedWill(() => ReleaseAsync(clientId, will, sessionItems));
        if (_delayedWills.TryGetValue(clientId, out var earlier))
        {
            earlier.Cancel();
        }

        _delayedWills[clientId] = delayed;
        delayed.Start(TimeSpan.FromSeconds(delaySeconds), clock);
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

    public Task OnOutboundAsync(InterceptingPacketEventArgs args)
    {
        var client = args.SessionItems[ClientItem] as ClientState;
        switch (args.Packet)
        {
            case MqttConnAckPacket connAck:
                connAck.SharedSubscriptionAvailable = true; // see SharedSubscriptions
                connAck.ReceiveMaximum = (ushort)definition.ReceiveMaximum; // enforced by InboundRules
                connAck.TopicAliasMaximum = BrokerRules.TopicAliasMaximum; // MQTTnet announces 65535; InboundRules holds clients to this
                if (client?.ServerKeepAlive is { } keepAlive)
                {
                    connAck.ServerKeepAlive = keepAlive;
                }

                break;
            case MqttPublishPacket publish:
                if (!Deliverable(publish, client))
                {
                    args.ProcessPacket = false;
                    break;
                }

                if (publish.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce)
                {
                    if (client?.Flow is { } flow && !flow.TryEnter(publish))
                    {
                        args.ProcessPacket = false; // parked until the client's window has room: FlowControl sends it then
                        return flow.WaitWhileParkingIsFullAsync(args.CancellationToken);
                    }

                    MarkRedelivery(publish);
                }

                break;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Whether a publish may still go to this client: not expired (its expiry interval then shows the time left) and
    /// within the client's maximum packet size (MQTT 5 §3.1.2.11.4: a packet the client cannot take is discarded as if
    /// delivered).
    /// </summary>
    private bool Deliverable(MqttPublishPacket publish, ClientState? client) =>
        !IsExpired(publish) && (client is not { MaximumPacketSize: > 0 } || EncodedSize(publish, client.V5) <= client.MaximumPacketSize);

    /// <summary>A parked publish about to leave: false when it can no longer be delivered.</summary>
    private bool PrepareParked(MqttPublishPacket publish, ClientState? client)
    {
        if (!Deliverable(publish, client))
        {
            return false;
        }

        MarkRedelivery(publish);
        return true;
    }

    private void MarkRedelivery(MqttPublishPacket publish)
    {
        if (!_sent.TryAdd(publish, publish))
        {
            publish.Dup = true; // the same packet again: a redelivery after the session resumed
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

    private sealed record ClientState(bool V5, uint MaximumPacketSize, ushort? ServerKeepAlive, WillOf? Will, FlowControl? Flow);

    /// <summary>
    /// The client's receive window (MQTT 5 §4.9): at most its Receive Maximum of QoS 1/2 publishes unacknowledged. A
    /// publish that finds the window full is parked, not waited for: MQTTnet's send loop goes on with the client's other
    /// packets (the acknowledgements of its own publishes among them), and each acknowledgement sends the next parked
    /// publish, in order, straight to the connection.
    /// </summary>
    private sealed class FlowControl(ushort receiveMaximum, int parkingLimit, IMqttChannelAdapter channel, Func<MqttPublishPacket, bool> prepare)
    {
        private readonly SemaphoreSlim _parkingFreed = new(0, int.MaxValue);
        private readonly HashSet<ushort> _inFlight = [];
        private readonly Queue<MqttPublishPacket> _parked = new();
        private readonly CancellationTokenSource _closed = new();
        private bool _releasing;

        /// <summary>From the send loop: whether <paramref name="publish"/> may go now; false when it was parked.</summary>
        public bool TryEnter(MqttPublishPacket publish)
        {
            lock (_parked)
            {
                if (_inFlight.Contains(publish.PacketIdentifier))
                {
                    return true; // already counted (sent again on this connection)
                }

                if (_parked.Count == 0 && !_releasing && _inFlight.Count < receiveMaximum)
                {
                    _inFlight.Add(publish.PacketIdentifier);
                    return true;
                }

                _parked.Enqueue(publish);
                return false;
            }
        }

        /// <summary>A PUBACK or PUBCOMP from the client, or a publish dropped before it was sent: its place is free.</summary>
        public void Completed(ushort packetId)
        {
            lock (_parked)
            {
                if (!_inFlight.Remove(packetId) || _parked.Count == 0 || _releasing || _closed.IsCancellationRequested)
                {
                    return;
                }

                _releasing = true;
            }

            _ = ReleaseParkedAsync();
        }

        public void Close()
        {
            _closed.Cancel();
            _parkingFreed.Release(); // a send loop waiting for room sees the connection is gone
        }

        /// <summary>
        /// Holds MQTTnet's send loop while the client has as many publishes parked as the broker queues for it: what is
        /// parked no longer counts in MQTTnet's queue, so without this a client that never acknowledges would grow it
        /// without bound. Only then do its other packets wait, as MQTTnet's full queue makes it drop new messages.
        /// </summary>
        public async Task WaitWhileParkingIsFullAsync(CancellationToken cancellationToken)
        {
            while (Parked >= parkingLimit && !_closed.IsCancellationRequested)
            {
                await _parkingFreed.WaitAsync(cancellationToken);
            }
        }

        private int Parked
        {
            get
            {
                lock (_parked)
                {
                    return _parked.Count;
                }
            }
        }

        private async Task ReleaseParkedAsync()
        {
            await Task.Yield(); // not on the client's receive loop, which reported the acknowledgement
            while (true)
            {
                MqttPublishPacket next;
                lock (_parked)
                {
                    if (_parked.Count == 0 || _inFlight.Count >= receiveMaximum || _closed.IsCancellationRequested)
                    {
                        _releasing = false;
                        return;
                    }

                    if (_parked.Count >= parkingLimit)
                    {
                        _parkingFreed.Release(); // room again for the send loop that waits for it
                    }

                    next = _parked.Dequeue();
                    _inFlight.Add(next.PacketIdentifier);
                }

                try
                {
                    if (!prepare(next))
                    {
                        lock (_parked)
                        {
                            _inFlight.Remove(next.PacketIdentifier); // expired or too large meanwhile: never sent, never acknowledged
                        }

                        continue;
                    }

                    await channel.SendPacketAsync(next, _closed.Token);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The connection is closing (the session sends the parked publishes again when it resumes), or preparing
                    // the packet failed: either way the pump stops without holding a place, and the next acknowledgement
                    // starts it again.
                    lock (_parked)
                    {
                        _inFlight.Remove(next.PacketIdentifier);
                        _releasing = false;
                    }

                    return;
                }
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
