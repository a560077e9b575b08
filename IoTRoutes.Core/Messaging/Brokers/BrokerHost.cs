using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging.Brokers.Topics;
using IoTRoutes.Core.Messaging.Commands;
using IoTRoutes.Core.Messaging.Lifecycle;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// One running broker: an MQTTnet server configured from a <see cref="BrokerDefinition"/>. It authenticates
/// devices (secret or client certificate), keeps each under its own topics, hands accepted publishes to the
/// durable intake before they are acknowledged, and delivers commands.
/// </summary>
public sealed class BrokerHost(BrokerDefinition definition, BrokerHostServices services, ILogger logger) : IAsyncDisposable
{
    private static readonly SessionItemKey DeviceItem = new("iotroutes.device");
    private static readonly SessionItemKey ExpiryItem = new("iotroutes.session-expiry");
    private static readonly SessionItemKey SecureItem = new("iotroutes.secure");
    private static readonly SessionItemKey ProtocolItem = new("iotroutes.protocol");
    private static readonly SessionItemKey OwnerItem = new("iotroutes.owner");
    private static readonly SessionItemKey SubscribingItem = new("iotroutes.subscribing");
    private static readonly SessionItemKey ClosingItem = new("iotroutes.closing");
    private const int MaxTopicLength = 1024;

    /// <summary>The client id of the platform's own publishes (commands); no client may use it.</summary>
    private const string PlatformClientId = "iotroutes";

    // Which device a session (client id) belongs to; Guid.Empty for anonymous clients. MQTTnet hands a persistent
    // session, with its items, to whoever connects next with the same client id; without this a device could take
    // over another's session.
    private readonly ConcurrentDictionary<string, Guid> _sessionOwners = new(StringComparer.Ordinal);

    // Disconnected persistent sessions and when they expire (MQTTnet keeps them forever).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiring = new(StringComparer.Ordinal);
    private readonly ConnectAttemptLimiter _limiter = new(definition.MaxConnectAttemptsPerMinute, services.Clock);
    private readonly DeniedTopics _denied = new(BrokerRules.SplitFilters(definition.DeniedSubscriptions));
    private readonly Protocol.ProtocolCompletions _completions = new(definition, services.Clock, logger);
    private readonly Protocol.SharedSubscriptions _shared = new();
    private readonly Protocol.InboundLimits _inboundLimits = new(definition.ReceiveMaximum, BrokerRules.TopicAliasMaximum,
        (address, code, text) => BrokerLog.ProtocolViolation(logger, definition.Name, address, code.ToString(), text));
    // What each CONNECT was admitted as, until its CONNACK installs it into the session it got. MQTTnet discards the
    // items set during validation when it resumes an existing session, so identity and per-connection state are
    // installed (and checked against the resumed session's owner) only then.
    private readonly ConcurrentDictionary<string, Admission> _admissions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _live = new(StringComparer.Ordinal);
    private MqttServer? _server;
    private ITimer? _expiryTimer;
    private int _sweeping;

    public BrokerDefinition Definition => definition;

    public bool IsRunning => _server?.IsStarted == true;

    public int ConnectedClients => _live.Count;

    public RateMeter MessagesIn { get; } = new(services.Clock);

    public RateMeter MessagesOut { get; } = new(services.Clock);

    /// <summary>Opens the broker's ports; throws (e.g. <see cref="SocketException"/> for a port in use) and leaves nothing open on failure.</summary>
    public async Task StartAsync()
    {
        var factory = new MqttServerFactory();
        var adapters = factory.DefaultServerAdapters.Select(create => create(factory)).Concat(services.Transports.For(definition))
            .Select(adapter => (IMqttServerAdapter)new Protocol.WrappedConnections(adapter,
                channel => new Protocol.InboundRules(
                    new Protocol.OutboundTopicAliases(Protocol.ConnectRefusals.Wrap(Protocol.CoalescedAcknowledgements.Wrap(channel))), _inboundLimits)));
        var server = factory.CreateMqttServer(BuildOptions(), adapters);
        _completions.Attach(server);
        server.InterceptingOutboundPacketAsync += OnOutboundAsync;
        server.InterceptingInboundPacketAsync += args =>
        {
            _shared.RewriteInbound(args);
            if (args.SessionItems[ClosingItem] is not null)
            {
                args.ProcessPacket = false; // read after a protocol violation: the connection is closing
                return Task.CompletedTask;
            }

            Protocol.DurableAcknowledgements.OnInbound(args);
            if (args.Packet is MqttSubscribePacket subscribe)
            {
                args.SessionItems[SubscribingItem] = subscribe.PacketIdentifier; // which SUBACK CloseWithoutSubAck means
            }

            return Task.CompletedTask;
        };
        server.ValidatingConnectionAsync += ValidateConnectionAsync;
        server.ClientConnectedAsync += OnConnectedAsync;
        server.ClientDisconnectedAsync += OnDisconnectedAsync;
        server.InterceptingPublishAsync += InterceptPublishAsync;
        server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        server.InterceptingClientEnqueueAsync += InterceptEnqueueAsync;
        server.ClientSubscribedTopicAsync += OnSubscribedAsync;
        server.ClientAcknowledgedPublishPacketAsync += OnAcknowledgedAsync;
        server.ApplicationMessageNotConsumedAsync += OnNotConsumedAsync;
        server.SessionDeletedAsync += args =>
        {
            _sessionOwners.TryRemove(args.Id, out _);
            _expiring.TryRemove(args.Id, out _);
            _shared.Forget(args.Id);
            return Task.CompletedTask;
        };
        try
        {
            await server.StartAsync();
        }
        catch
        {
            server.Dispose();
            throw;
        }

        _server = server;
        _expiryTimer = services.Clock.CreateTimer(_ => _ = RemoveExpiredSessionsAsync(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        BrokerLog.Started(logger, definition.Name, definition.BindAddress, definition.Port);
        if (definition.TlsPort is { } tlsPort)
        {
            BrokerLog.TlsStarted(logger, definition.Name, definition.BindAddress, tlsPort);
        }
    }

    public async Task StopAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            _expiryTimer?.Dispose();
            await server.StopAsync(new MqttServerStopOptions());
            server.Dispose();
            BrokerLog.Stopped(logger, definition.Name);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public async Task<IReadOnlyList<BrokerClientDto>> ListClientsAsync()
    {
        if (_server is not { } server)
        {
            return [];
        }

        return [.. (await server.GetClientsAsync()).Select(c =>
        {
            var device = c.Session.Items[DeviceItem] as AuthenticatedDevice;
            return new BrokerClientDto(c.Id, device?.Id, device?.Key, c.RemoteEndPoint?.ToString(), ProtocolName(c.ProtocolVersion),
                c.Session.Items[SecureItem] is true, new DateTimeOffset(DateTime.SpecifyKind(c.ConnectedTimestamp, DateTimeKind.Utc)));
        }).OrderBy(c => c.ConnectedAt)];
    }

    public async Task<bool> IsDeviceConnectedAsync(string deviceKey) =>
        _server is { } server && (await server.GetClientsAsync()).Any(c => IsDevice(c.Session.Items, deviceKey));

    /// <summary>Closes every connection authenticated as <paramref name="deviceKey"/>.</summary>
    public async Task DisconnectDeviceAsync(string deviceKey, string reason)
    {
        if (_server is not { } server)
        {
            return;
        }

        foreach (var client in (await server.GetClientsAsync()).Where(c => IsDevice(c.Session.Items, deviceKey)))
        {
            await client.DisconnectAsync(new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized, ReasonString = reason });
        }
    }

    /// <summary>Publishes a command to the device's commands topic (QoS 1), with MQTT 5 request/response properties.</summary>
    public async Task PublishCommandAsync(string deviceKey, DeviceCommand command, CancellationToken ct)
    {
        if (_server is not { } server)
        {
            throw new InvalidOperationException($"Broker {definition.Name} is not running.");
        }

        var remaining = command.ExpiresAt - services.Clock.GetUtcNow();
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(CommandTopics.Command(deviceKey, command.Id))
            .WithPayload(CommandEnvelope.Build(command))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/json")
            .WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData)
            .WithResponseTopic(CommandTopics.Reply(deviceKey, command.Id))
            .WithCorrelationData(command.Id.ToByteArray())
            .WithMessageExpiryInterval((uint)Math.Max(1, remaining.TotalSeconds))
            .WithUserProperty("command", System.Text.Encoding.UTF8.GetBytes(command.Name))
            .Build();
        await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = PlatformClientId }, ct);
    }

    private MqttServerOptions BuildOptions()
    {
        var address = IPAddress.Parse(definition.BindAddress);
        var (v4, v6) = address.AddressFamily == AddressFamily.InterNetworkV6
            ? (IPAddress.None, address)
            : (address, address.Equals(IPAddress.Any) ? IPAddress.IPv6Any : IPAddress.None);
        var builder = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(v4)
            .WithDefaultEndpointBoundIPV6Address(v6)
            .WithDefaultEndpointPort(definition.Port)
            .WithPersistentSessions(definition.PersistentSessions)
            .WithMaxPendingMessagesPerClient(definition.MaxQueuedMessages)
            .WithDefaultCommunicationTimeout(TimeSpan.FromSeconds(15)); // also how long a silent new connection may stay before CONNECT
        if (definition.TlsPort is { } tlsPort)
        {
            builder.WithEncryptedEndpoint()
                .WithEncryptedEndpointBoundIPAddress(v4)
                .WithEncryptedEndpointBoundIPV6Address(v6)
                .WithEncryptedEndpointPort(tlsPort)
                .WithEncryptionCertificate(services.Authority.ServerCertificate);
        }

        var options = builder.Build();
        if (definition.TlsPort is not null && definition.Authentication != DeviceAuthentication.Secret)
        {
            // Ask for a client certificate but accept any at the TLS level: whether it belongs to a device is decided
            // at CONNECT, where the device gets a reason code instead of a broken handshake.
            options.TlsEndpointOptions.ClientCertificateRequired = true;
            options.TlsEndpointOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }

        return options;
    }

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs args)
    {
        // First, so that MQTTnet's own empty-id check cannot override the reason code chosen below.
        ClientIdAssignment.AssignWhenEmpty(args);
        if (CheckConnectionLimits(args) is { } refusal)
        {
            Refuse(args, refusal.Code, refusal.Text);
            return;
        }

        AuthenticatedDevice? device;
        try
        {
            var outcome = await AuthenticateAsync(args);
            if (outcome.Refusal is { } refused)
            {
                Refuse(args, refused.Code, refused.Text);
                return;
            }

            device = outcome.Device;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            BrokerLog.ValidationFailed(logger, definition.Name, args.UserName, e);
            args.ReasonCode = MqttConnectReasonCode.ServerUnavailable;
            return;
        }

        var clientId = string.IsNullOrEmpty(args.ClientId) ? args.AssignedClientIdentifier : args.ClientId;
        if (string.IsNullOrEmpty(clientId))
        {
            Refuse(args, MqttConnectReasonCode.ClientIdentifierNotValid, "A persistent session needs a client id.");
            return;
        }

        if (clientId == PlatformClientId)
        {
            Refuse(args, MqttConnectReasonCode.ClientIdentifierNotValid, $"The client id {PlatformClientId} is reserved.");
            return;
        }

        var owner = device?.Id ?? Guid.Empty;
        if (_sessionOwners.GetOrAdd(clientId, owner) != owner)
        {
            BrokerLog.ClientIdTaken(logger, definition.Name, device?.Key ?? "(anonymous)", clientId);
            args.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            args.ReasonString = "This client id belongs to another client's session.";
            return;
        }

        // MQTT 5: a session outlives its connection when its expiry interval is over 0; 3.1.1: with clean session 0.
        var v5 = args.ProtocolVersion == MqttProtocolVersion.V500;
        var persists = definition.PersistentSessions && (v5 ? args.SessionExpiryInterval > 0 : args.CleanSession == false);
        var expiry = !persists ? 0u : v5 ? Math.Min(args.SessionExpiryInterval, (uint)definition.SessionExpirySeconds) : (uint)definition.SessionExpirySeconds;
        var admission = new Admission(device, owner, args.IsSecureConnection, args.ProtocolVersion, expiry, args.CleanSession == true,
            _completions.OnAccepted(args, clientId, expiry));
        _admissions[clientId] = admission;
        admission.InstallInto(args.SessionItems); // a new session keeps these items; a resumed one gets them at CONNACK
    }

    private Refusal? CheckConnectionLimits(ValidatingConnectionEventArgs args)
    {
        if (!_limiter.TryAttempt(args.RemoteEndPoint))
        {
            return new Refusal(MqttConnectReasonCode.QuotaExceeded, $"More than {definition.MaxConnectAttemptsPerMinute} connection attempts a minute from this address.");
        }

        var version = args.ProtocolVersion switch
        {
            MqttProtocolVersion.V500 => MqttVersions.V500,
            MqttProtocolVersion.V311 => MqttVersions.V311,
            _ => MqttVersions.None, // MQTT 3.1 (MQIsdp) is not offered
        };
        if (version == MqttVersions.None || !definition.Protocols.HasFlag(version))
        {
            return new Refusal(MqttConnectReasonCode.UnsupportedProtocolVersion, $"This broker accepts MQTT {string.Join(" and ", BrokerRules.ProtocolNames(definition.Protocols))}.");
        }

        if (ConnectedClients >= definition.MaxConnections)
        {
            return new Refusal(MqttConnectReasonCode.ServerBusy, $"This broker holds at most {definition.MaxConnections} connections.");
        }

        // MQTT 5 clients are told a shorter keep-alive instead (Server Keep Alive, see ProtocolCompletions); 3.1.1 cannot be.
        if (version == MqttVersions.V311 && definition.MaxKeepAliveSeconds > 0 && args.KeepAlivePeriod is { } keepAlive
            && (keepAlive == 0 || keepAlive > definition.MaxKeepAliveSeconds))
        {
            // Return code 2, as mosquitto answers: 1 (unacceptable protocol version) would send clients looking for a protocol problem.
            return new Refusal(MqttConnectReasonCode.ClientIdentifierNotValid, $"Keep-alive must be between 1 and {definition.MaxKeepAliveSeconds} seconds.");
        }

        return null;
    }

    private async Task<(AuthenticatedDevice? Device, Refusal? Refusal)> AuthenticateAsync(ValidatingConnectionEventArgs args)
    {
        var certificate = args.IsSecureConnection ? args.ClientCertificate : null;
        var acceptsCertificates = definition.Authentication != DeviceAuthentication.Secret;
        var acceptsSecrets = definition.Authentication != DeviceAuthentication.Certificate;
        if (certificate is not null && acceptsCertificates)
        {
            var check = await services.Certificates.ValidateAsync(certificate, args.CancellationToken);
            if (check.Device is not { } byCertificate)
            {
                return (null, new Refusal(MqttConnectReasonCode.NotAuthorized, check.Problem!));
            }

            return !string.IsNullOrEmpty(args.UserName) && args.UserName != byCertificate.Key
                ? (null, new Refusal(MqttConnectReasonCode.BadUserNameOrPassword, "The user name is not the certificate's device key."))
                : (byCertificate, null);
        }

        if (string.IsNullOrEmpty(args.UserName) && args.RawPassword is null or { Length: 0 })
        {
            return definition.AllowAnonymous
                ? (null, null)
                : (null, new Refusal(MqttConnectReasonCode.NotAuthorized, acceptsSecrets
                    ? "Connect with the device key as user name and its secret as password."
                    : "Connect over TLS with the device's client certificate."));
        }

        if (!acceptsSecrets)
        {
            return (null, new Refusal(MqttConnectReasonCode.NotAuthorized, "This broker accepts client certificates only."));
        }

        // Unknown key and wrong secret get the same answer: the broker does not tell which keys exist.
        var device = await services.Credentials.ValidateAsync(args.UserName, args.Password, args.CancellationToken);
        return device is null
            ? (null, new Refusal(MqttConnectReasonCode.BadUserNameOrPassword, "Bad user name or password."))
            : (device, null);
    }

    private void Refuse(ValidatingConnectionEventArgs args, MqttConnectReasonCode code, string text)
    {
        BrokerLog.Refused(logger, definition.Name, args.RemoteEndPoint?.ToString(), code.ToString(), text);
        args.ReasonCode = code;
        args.ReasonString = text;
    }

    private Task OnConnectedAsync(ClientConnectedEventArgs args)
    {
        if (_refused.ContainsKey(args.ClientId))
        {
            return Task.CompletedTask; // admitted by MQTTnet into another client's session, and being closed
        }

        _live[args.ClientId] = true;
        _expiring.TryRemove(args.ClientId, out _);
        _shared.Connected(args.ClientId);
        if (args.SessionItems[DeviceItem] is AuthenticatedDevice device)
        {
            services.ConnectionChanges.Post(new DeviceConnected(definition.Id, services.Clock.GetUtcNow(), device.Id, device.Key, args.ClientId,
                args.RemoteEndPoint?.ToString(), ProtocolName(args.ProtocolVersion)));
        }

        return Task.CompletedTask;
    }

    private Task OnDisconnectedAsync(ClientDisconnectedEventArgs args)
    {
        _admissions.TryRemove(args.ClientId, out _);
        if (_refused.TryRemove(args.ClientId, out _) || !_live.TryRemove(args.ClientId, out _))
        {
            return Task.CompletedTask; // never counted as connected (refused at CONNACK, or MQTTnet failed to send the CONNACK)
        }

        var expiry = args.DisconnectType == MqttClientDisconnectType.Takeover ? 0u : SessionExpiryAfter(args);
        _completions.OnDisconnected(args, sessionEnds: expiry == 0);
        _shared.Disconnected(args.ClientId);
        if (expiry > 0)
        {
            _expiring[args.ClientId] = services.Clock.GetUtcNow().AddSeconds(expiry);
        }

        if (args.SessionItems[DeviceItem] is AuthenticatedDevice device)
        {
            services.ConnectionChanges.Post(new DeviceDisconnected(definition.Id, services.Clock.GetUtcNow(), device.Id, device.Key, args.ClientId,
                args.RemoteEndPoint?.ToString(), DisconnectReason(args)));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// How long the session outlives this connection: what CONNECT asked for, or what an MQTT 5 DISCONNECT asked for
    /// instead (InboundRules has put the CONNECT's value into a DISCONNECT without one), capped by the broker. A
    /// DISCONNECT asking for 0 has already ended the session (MQTTnet read it from the CONNECT, which InboundRules set).
    /// </summary>
    private uint SessionExpiryAfter(ClientDisconnectedEventArgs args)
    {
        if (args.SessionItems[ExpiryItem] is not uint atConnect || atConnect == 0)
        {
            return 0;
        }

        return args.DisconnectType == MqttClientDisconnectType.Clean && IsV5(args.SessionItems)
            ? Math.Min(args.SessionExpiryInterval, (uint)definition.SessionExpirySeconds)
            : atConnect;
    }

    private static string DisconnectReason(ClientDisconnectedEventArgs args) => args.DisconnectType switch
    {
        MqttClientDisconnectType.Clean => args.ReasonCode is { } code && code != MqttDisconnectReasonCode.NormalDisconnection
            ? $"Client disconnected: {code}{(args.ReasonString is { } s ? $" ({s})" : "")}"
            : "Client disconnected",
        MqttClientDisconnectType.Takeover => "Session taken over by a new connection with the same client id",
        _ => "Connection lost (network error, keep-alive timeout or closed by the broker)",
    };

    private async Task RemoveExpiredSessionsAsync()
    {
        if (_server is not { } server || _expiring.IsEmpty || Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return; // nothing to do, or the previous sweep still runs
        }

        try
        {
            var now = services.Clock.GetUtcNow();
            var due = _expiring.Where(e => e.Value <= now).ToList();
            if (due.Count == 0)
            {
                return;
            }

            // One snapshot of clients and sessions per sweep, however many sessions expire in it.
            var connected = (await server.GetClientsAsync()).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            var sessions = (await server.GetSessionsAsync()).ToDictionary(x => x.Id, StringComparer.Ordinal);
            foreach (var (clientId, expiresAt) in due)
            {
                if (!_expiring.TryRemove(KeyValuePair.Create(clientId, expiresAt)) || connected.Contains(clientId))
                {
                    continue; // reconnected meanwhile
                }

                // MQTTnet may have ended the session itself (it expires sessions too, without a SessionDeleted event).
                if (sessions.TryGetValue(clientId, out var session))
                {
                    await session.DeleteAsync();
                    BrokerLog.SessionExpired(logger, definition.Name, clientId);
                }
                else
                {
                    _sessionOwners.TryRemove(clientId, out _);
                    _shared.Forget(clientId);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Broker {Broker}: removing expired sessions failed", definition.Name);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private async Task OnOutboundAsync(InterceptingPacketEventArgs args)
    {
        if (args.Packet is MqttConnAckPacket connAck)
        {
            Admit(args, connAck);
        }
        else if (_refused.ContainsKey(args.ClientId))
        {
            args.ProcessPacket = false; // nothing of the session it landed in reaches a refused connection
            return;
        }
        else if (args.Packet is MqttPublishPacket && args.SessionItems[ClosingItem] is not null)
        {
            // Closing for a protocol violation: nothing more is delivered, such as the retained messages of a valid
            // filter in the refused SUBSCRIBE (MQTTnet queues them behind its SUBACK, and may send them before it).
            args.ProcessPacket = false;
            return;
        }
        else if (args.Packet is MqttSubAckPacket subAck && args.SessionItems[ClosingItem] is ushort refused && refused == subAck.PacketIdentifier)
        {
            // Everything queued before this SUBACK has gone out (among them the SUBACKs of valid SUBSCRIBEs pipelined
            // before it): now the connection closes, without it.
            args.ProcessPacket = false;
            _ = CloseAsync(args.ClientId, MqttDisconnectReasonCode.ProtocolError);
            return;
        }

        if (await Protocol.DurableAcknowledgements.OnOutboundAsync(args) is { } failure)
        {
            // Not stored: no acknowledgement, and closing the connection makes the device deliver the message again.
            BrokerLog.IntakeFailed(logger, definition.Name, args.SessionItems[DeviceItem] is AuthenticatedDevice device ? device.Key : args.ClientId, failure);
            _ = CloseAsync(args.ClientId, MqttDisconnectReasonCode.UnspecifiedError);
            return;
        }

        await _completions.OnOutboundAsync(args);
    }

    private void Admit(InterceptingPacketEventArgs args, MqttConnAckPacket connAck)
    {
        if (connAck.ReasonCode != MqttConnectReasonCode.Success || !_admissions.TryRemove(args.ClientId, out var admission))
        {
            return;
        }

        var items = args.SessionItems;
        if (connAck.IsSessionPresent && items[OwnerItem] is Guid holder && holder != admission.Owner)
        {
            // The client id was free in our map but the session MQTTnet resumed belongs to someone else (a race with
            // the session's end): refuse, and close the connection before anything of that session is sent.
            BrokerLog.ClientIdTaken(logger, definition.Name, admission.Device?.Key ?? "(anonymous)", args.ClientId);
            _refused[args.ClientId] = true;
            connAck.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            connAck.ReturnCode = MqttConnectReturnCode.ConnectionRefusedIdentifierRejected;
            connAck.IsSessionPresent = false;
            _ = CloseAsync(args.ClientId, MqttDisconnectReasonCode.NotAuthorized);
            return;
        }

        admission.InstallInto(items);
        items.Remove(ClosingItem); // a mark left by the connection that held this session before
        if (admission.CleanStart)
        {
            _shared.Forget(args.ClientId); // a clean start ends the old session's subscriptions, shared ones too
        }
    }

    private async Task CloseAsync(string clientId, MqttDisconnectReasonCode reason)
    {
        try
        {
            await Task.Yield(); // never from inside MQTTnet's own loops of that client
            if (_server is { } server)
            {
                await server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions { ReasonCode = reason });
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Broker {Broker}: closing the connection {ClientId} failed", definition.Name, clientId);
        }
    }

    private sealed record Admission(
        AuthenticatedDevice? Device, Guid Owner, bool Secure, MqttProtocolVersion Protocol, uint SessionExpiry, bool CleanStart, object ClientState)
    {
        public void InstallInto(IDictionary items)
        {
            items[DeviceItem] = Device;
            items[OwnerItem] = Owner;
            items[SecureItem] = Secure;
            items[ProtocolItem] = Protocol;
            items[ExpiryItem] = SessionExpiry;
            IoTRoutes.Core.Messaging.Brokers.Protocol.ProtocolCompletions.Install(items, ClientState);
            IoTRoutes.Core.Messaging.Brokers.Protocol.DurableAcknowledgements.Install(items);
        }
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs args)
    {
        if (_completions.OnPublish(args, forwarded: args.SessionItems[DeviceItem] is not AuthenticatedDevice))
        {
            return; // a will held back for its delay
        }

        if (args.ClientId == PlatformClientId)
        {
            return; // a command injected by the platform
        }

        MessagesIn.Mark();
        var message = args.ApplicationMessage;
        var topic = message.Topic;
        if (string.IsNullOrEmpty(topic))
        {
            return; // an unknown topic alias: MQTTnet has already answered 0x90 topic name invalid
        }

        if (topic.Contains('+') || topic.Contains('#'))
        {
            // MQTT-3.3.2-2: a topic name has no wildcards. 3.1.1 has no way to say so but closing the connection.
            Refuse(args, MqttPubAckReasonCode.TopicNameInvalid, "A topic name cannot contain the wildcards + or #.");
            args.CloseConnection = !IsV5(args.SessionItems);
            return;
        }

        if (topic.Length > MaxTopicLength || topic.Contains('\0'))
        {
            Refuse(args, MqttPubAckReasonCode.TopicNameInvalid, $"Topic names have at most {MaxTopicLength} characters and no NUL character.");
            return;
        }

        if (args.SessionItems[DeviceItem] is not AuthenticatedDevice device)
        {
            // Anonymous client of a test-bench broker: a plain MQTT broker, except that device topics are not theirs.
            if (topic.StartsWith(DeviceTopics.Prefix, StringComparison.Ordinal))
            {
                Refuse(args, MqttPubAckReasonCode.NotAuthorized, "Topics under devices/ belong to devices.");
            }
            else if (message.Payload.Length > definition.MaxPayloadBytes)
            {
                BrokerLog.Oversize(logger, definition.Name, "(anonymous)", topic, message.Payload.Length, definition.MaxPayloadBytes);
                Refuse(args, MqttPubAckReasonCode.QuotaExceeded, $"Payloads have at most {definition.MaxPayloadBytes} bytes on this broker.");
            }
            else if (!_shared.IsEmpty && _server is { } server && (_denied.IsEmpty || !_denied.Hides(topic)))
            {
                await _shared.DeliverAsync(server, message);
            }

            return;
        }

        if (args.UserName is { Length: > 0 } user && user != device.Key)
        {
            // A session that ended up with another device's identity: never act on it.
            BrokerLog.IdentityMismatch(logger, definition.Name, args.UserName, device.Key);
            args.ProcessPublish = false;
            args.CloseConnection = true;
            return;
        }

        if (!DeviceTopics.IsOwn(device.Key, topic))
        {
            BrokerLog.ForeignTopic(logger, definition.Name, device.Key, topic);
            Refuse(args, MqttPubAckReasonCode.NotAuthorized, $"Devices publish only under {DeviceTopics.RootOf(device.Key)}");
            return;
        }

        if (topic.StartsWith(CommandTopics.Prefix(device.Key), StringComparison.Ordinal))
        {
            await HandleCommandTopicAsync(args, device, topic);
            return;
        }

        await StoreUplinkAsync(args, device, topic);
    }

    private async Task HandleCommandTopicAsync(InterceptingPublishEventArgs args, AuthenticatedDevice device, string topic)
    {
        if (!CommandTopics.TryParse(topic, out _, out var commandId, out var isReply) || !isReply)
        {
            Refuse(args, MqttPubAckReasonCode.NotAuthorized, $"Devices publish under {CommandTopics.Prefix(device.Key)} only replies: <command id>/reply.");
            return;
        }

        var payload = args.ApplicationMessage.Payload;
        if (payload.Length > CommandRules.MaxPayloadBytes)
        {
            Refuse(args, MqttPubAckReasonCode.PayloadFormatInvalid, $"A reply has at most {CommandRules.MaxPayloadBytes} bytes.");
            return;
        }

        // Awaited before the PUBACK: the reply is recorded when the device is told it arrived.
        await services.Events.PublishAsync(new CommandReplied(definition.Id, services.Clock.GetUtcNow(), device.Id, commandId, payload.ToArray()), args.CancellationToken);
        args.ProcessPublish = false;
    }

    private async Task StoreUplinkAsync(InterceptingPublishEventArgs args, AuthenticatedDevice device, string topic)
    {
        var message = args.ApplicationMessage;
        var size = message.Payload.Length;
        var receivedAt = services.Clock.GetUtcNow();
        var stored = new Message
        {
            Id = MessageIds.Next(receivedAt),
            DeviceId = device.Id,
            Topic = topic,
            PayloadSize = (int)Math.Min(size, int.MaxValue),
            QualityOfService = (int)message.QualityOfServiceLevel,
            ReceivedAt = receivedAt,
            State = MessageState.Received,
        };
        var oversize = size > definition.MaxPayloadBytes;
        if (oversize)
        {
            BrokerLog.Oversize(logger, definition.Name, device.Key, topic, size, definition.MaxPayloadBytes);
            stored.State = MessageState.Rejected;
            stored.ProcessedAt = stored.ReceivedAt;
            stored.RejectionReason = $"Payload of {size} bytes exceeds the {definition.MaxPayloadBytes}-byte limit; it was not stored.";
        }
        else
        {
            stored.Payload = message.Payload.ToArray();
        }

        try
        {
            var durable = await services.Intake.SubmitAsync(stored, args.CancellationToken);
            if (message.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce && !Protocol.DurableAcknowledgements.TryDefer(args.SessionItems, args.CancellationToken, durable))
            {
                await durable.WaitAsync(args.CancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !args.CancellationToken.IsCancellationRequested)
        {
            // No acknowledgement: closing the connection makes the device deliver the message again.
            BrokerLog.IntakeFailed(logger, definition.Name, device.Key, e);
            args.ProcessPublish = false;
            args.CloseConnection = true;
            return;
        }

        if (oversize)
        {
            Refuse(args, MqttPubAckReasonCode.QuotaExceeded, stored.RejectionReason!);
            return;
        }

        // The platform is the consumer of device uplinks: they are not fanned out to other MQTT clients,
        // and the PUBACK says Success (not "no matching subscribers") because the message is stored.
        args.ProcessPublish = false;
    }

    private static void Refuse(InterceptingPublishEventArgs args, MqttPubAckReasonCode reason, string text)
    {
        // MQTT 5 clients get the reason code; MQTT 3.1.1 has no negative PUBACK, so the message is just dropped.
        args.ProcessPublish = false;
        args.Response.ReasonCode = reason;
        args.Response.ReasonString = text;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs args)
    {
        if (Protocol.SharedSubscriptions.IsPlaceholder(args.TopicFilter.Topic))
        {
            JoinSharedSubscription(args);
            return Task.CompletedTask;
        }

        var filter = args.TopicFilter.Topic;
        if (!TopicFilter.IsValid(filter))
        {
            args.ProcessSubscription = false;
            args.Response.ReasonCode = MqttSubscribeReasonCode.TopicFilterInvalid;
            args.Response.ReasonString = $"\"{filter}\" is not a valid topic filter: '#' only as the last level, '+' and '#' alone in their level.";
            if (!IsV5(args.SessionItems))
            {
                CloseWithoutSubAck(args); // 3.1.1 §4.8: a protocol violation
            }
            return Task.CompletedTask;
        }

        if (_denied.Refusing(filter) is { } deniedBy)
        {
            BrokerLog.DeniedSubscription(logger, definition.Name, args.ClientId, filter);
            DenySubscription(args, $"Topics under {deniedBy} may not be subscribed to on this broker.");
            return Task.CompletedTask;
        }

        if (args.SessionItems[DeviceItem] is not AuthenticatedDevice device)
        {
            if (filter.StartsWith(DeviceTopics.Prefix, StringComparison.Ordinal))
            {
                DenySubscription(args, "Topics under devices/ belong to devices.");
            }

            return Task.CompletedTask;
        }

        if (args.UserName is { Length: > 0 } user && user != device.Key)
        {
            BrokerLog.IdentityMismatch(logger, definition.Name, args.UserName, device.Key);
            args.ProcessSubscription = false;
            CloseWithoutSubAck(args);
        }
        else if (!IsCommandsFilter(device.Key, filter))
        {
            BrokerLog.ForeignSubscription(logger, definition.Name, device.Key, filter);
            DenySubscription(args, $"Devices subscribe only to {CommandTopics.Prefix(device.Key)}#.");
        }

        return Task.CompletedTask;
    }

    private void JoinSharedSubscription(InterceptingSubscriptionEventArgs args)
    {
        var shared = Protocol.SharedSubscriptions.Parse(args.TopicFilter.Topic);
        var original = Protocol.SharedSubscriptions.Original(args.TopicFilter.Topic);
        if (shared is not { } s || !TopicFilter.IsValid(s.Filter) || args.TopicFilter.NoLocal)
        {
            args.ProcessSubscription = false;
            args.Response.ReasonCode = MqttSubscribeReasonCode.TopicFilterInvalid;
            args.Response.ReasonString = $"\"{original}\" is not a valid shared subscription: $share/<group>/<filter>, no wildcards in the group, no No Local.";
            if (!IsV5(args.SessionItems))
            {
                CloseWithoutSubAck(args);
            }
            return;
        }

        if (args.SessionItems[DeviceItem] is AuthenticatedDevice || s.Filter.StartsWith(DeviceTopics.Prefix, StringComparison.Ordinal)
            || _denied.Refusing(s.Filter) is not null)
        {
            BrokerLog.DeniedSubscription(logger, definition.Name, args.ClientId, original);
            DenySubscription(args, $"{original} is not allowed on this broker.");
            return;
        }

        _shared.Join(args.ClientId, s.Group, s.Filter, args.TopicFilter.QualityOfServiceLevel);
    }

    private static bool IsCommandsFilter(string deviceKey, string filter) =>
        filter.StartsWith(CommandTopics.Prefix(deviceKey), StringComparison.Ordinal) && TopicFilter.IsValid(filter);

    /// <summary>
    /// Closes the connection without answering this SUBSCRIBE. MQTTnet's own close (<c>CloseConnection</c>) stops the
    /// connection at once, dropping the SUBACKs of valid SUBSCRIBEs pipelined before it that are still queued, or lets
    /// this SUBACK out. Instead the mark (the SUBSCRIBE's packet id, noted by the inbound interceptor) lets MQTTnet queue
    /// this SUBACK behind them: the outbound interceptor holds it back and closes the connection when it comes; packets
    /// read meanwhile are dropped.
    /// </summary>
    private static void CloseWithoutSubAck(InterceptingSubscriptionEventArgs args)
    {
        args.ProcessSubscription = false;
        args.SessionItems[ClosingItem] = args.SessionItems[SubscribingItem];
    }

    private static void DenySubscription(InterceptingSubscriptionEventArgs args, string text)
    {
        // MQTTnet answers 3.1.1 clients with the failure return code 0x80 for any refusal.
        args.ProcessSubscription = false;
        args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        args.Response.ReasonString = text;
    }

    private Task InterceptEnqueueAsync(InterceptingClientApplicationMessageEnqueueEventArgs args)
    {
        var topic = args.ApplicationMessage.Topic;
        if (topic.StartsWith(DeviceTopics.Prefix, StringComparison.Ordinal)
            && _sessionOwners.TryGetValue(args.ReceiverClientId, out var owner) && owner == Guid.Empty)
        {
            args.AcceptEnqueue = false; // an anonymous "#" subscriber never sees a device's commands
        }
        else if (!_denied.IsEmpty && _denied.Hides(topic))
        {
            args.AcceptEnqueue = false; // a broad filter ("#") granted beside a denied one gets nothing of the denied topics
        }
        else
        {
            MessagesOut.Mark();
        }

        return Task.CompletedTask;
    }

    private async Task OnSubscribedAsync(ClientSubscribedTopicEventArgs args)
    {
        if (args.SessionItems[DeviceItem] is AuthenticatedDevice device && CommandTopics.CoversCommands(device.Key, args.TopicFilter.Topic))
        {
            await services.Events.PublishAsync(new DeviceSubscribedToCommands(definition.Id, services.Clock.GetUtcNow(), device.Id), CancellationToken.None);
        }
    }

    private async Task OnAcknowledgedAsync(ClientAcknowledgedPublishPacketEventArgs args)
    {
        _completions.OnAcknowledged(args);
        if (args.IsCompleted && args.SessionItems[DeviceItem] is AuthenticatedDevice device
            && CommandTopics.TryParse(args.PublishPacket.Topic, out var key, out var commandId, out var isReply) && !isReply && key == device.Key)
        {
            await services.Events.PublishAsync(new CommandAcknowledged(definition.Id, services.Clock.GetUtcNow(), device.Id, commandId), CancellationToken.None);
        }
    }

    private async Task OnNotConsumedAsync(ApplicationMessageNotConsumedEventArgs args)
    {
        if (args.SenderId == PlatformClientId && CommandTopics.TryParse(args.ApplicationMessage.Topic, out _, out var commandId, out var isReply) && !isReply)
        {
            await services.Events.PublishAsync(new CommandNotConsumed(definition.Id, services.Clock.GetUtcNow(), commandId), CancellationToken.None);
        }
    }

    private static bool IsV5(IDictionary items) => items[ProtocolItem] is MqttProtocolVersion.V500;

    private static bool IsDevice(IDictionary items, string deviceKey) => items[DeviceItem] is AuthenticatedDevice d && d.Key == deviceKey;

    private static string ProtocolName(MqttProtocolVersion version) => version switch
    {
        MqttProtocolVersion.V500 => "5.0",
        MqttProtocolVersion.V311 => "3.1.1",
        MqttProtocolVersion.V310 => "3.1",
        _ => version.ToString(),
    };

    private sealed record Refusal(MqttConnectReasonCode Code, string Text);
}

/// <summary>The platform services every broker uses.</summary>
public sealed class BrokerHostServices(
    DeviceCredentialValidator credentials,
    Devices.Certificates.DeviceCertificateValidator certificates,
    Devices.Certificates.CertificateAuthority authority,
    ConnectionChanges connectionChanges,
    Pipeline.MessageIntake intake,
    BrokerEvents events,
    IBrokerTransports transports,
    TimeProvider clock)
{
    public IBrokerTransports Transports => transports;
    public DeviceCredentialValidator Credentials => credentials;
    public Devices.Certificates.DeviceCertificateValidator Certificates => certificates;
    public Devices.Certificates.CertificateAuthority Authority => authority;
    public ConnectionChanges ConnectionChanges => connectionChanges;
    public Pipeline.MessageIntake Intake => intake;
    public BrokerEvents Events => events;
    public TimeProvider Clock => clock;
}
