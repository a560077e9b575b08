using System.Net;
using System.Net.Sockets;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging.Commands;
using IoTRoutes.Core.Messaging.Lifecycle;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using static IoTRoutes.Core.Messaging.Brokers.BrokerSessionItems;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// One running broker: an MQTTnet server configured from a <see cref="BrokerDefinition"/>. It authenticates
/// devices (secret or client certificate), keeps each under its own topics, hands accepted publishes to the
/// durable intake before they are acknowledged, and delivers commands. The rules live beside it:
/// <see cref="ConnectionAdmission"/>, <see cref="PublishRules"/>, <see cref="SubscriptionRules"/>,
/// <see cref="CommandDelivery"/> and <see cref="SessionExpiry"/>.
/// </summary>
public sealed class BrokerHost : IAsyncDisposable
{
    private readonly BrokerContext _broker;
    private readonly ConnectionAdmission _admission;
    private readonly PublishRules _publishes;
    private readonly SubscriptionRules _subscriptions;
    private readonly CommandDelivery _commands;
    private readonly SessionExpiry _expiry;

    public BrokerHost(BrokerDefinition definition, BrokerHostServices services, ILogger logger)
    {
        _broker = new BrokerContext(definition, services, logger);
        _admission = new ConnectionAdmission(_broker);
        _publishes = new PublishRules(_broker);
        _subscriptions = new SubscriptionRules(_broker);
        _commands = new CommandDelivery(_broker);
        _expiry = new SessionExpiry(_broker);
    }

    public BrokerDefinition Definition => _broker.Definition;

    public bool IsRunning => _broker.Server?.IsStarted == true;

    public int ConnectedClients => _broker.Live.Count;

    public RateMeter MessagesIn => _broker.MessagesIn;

    public RateMeter MessagesOut => _broker.MessagesOut;

    /// <summary>Connections accepted and not yet past their CONNECT now, and those refused over the bounds so far.</summary>
    public (int Now, long Refused) AwaitingConnect => (_broker.PendingConnects.Count, _broker.PendingConnects.Refused);

    /// <summary>Opens the broker's ports; throws (e.g. <see cref="SocketException"/> for a port in use) and leaves nothing open on failure.</summary>
    public async Task StartAsync()
    {
        var factory = new MqttServerFactory();
        IMqttChannelAdapter Wrap(IMqttChannelAdapter channel) => new Protocol.InboundRules(
            new Protocol.OutboundTopicAliases(Protocol.ConnectRefusals.Wrap(Protocol.CoalescedAcknowledgements.Wrap(channel))), _broker.InboundLimits);
        var connectTimeout = TimeSpan.FromSeconds(Definition.ConnectTimeoutSeconds);
        IMqttServerAdapter[] adapters =
        [
            new Protocol.TcpListeners(_broker.PendingConnects, connectTimeout, Wrap, OnAwaitingConnectRefused,
                e => BrokerLog.ListenerFailed(_broker.Logger, Definition.Name, e)),
            .. _broker.Services.Transports.For(Definition)
                .Select(adapter => new Protocol.WrappedConnections(adapter, Wrap, _broker.PendingConnects, connectTimeout, OnAwaitingConnectRefused)),
        ];
        var server = factory.CreateMqttServer(BuildOptions(), adapters);
        _broker.ProtocolCompletions.Attach(server);
        server.InterceptingOutboundPacketAsync += OnOutboundAsync;
        server.InterceptingInboundPacketAsync += args =>
        {
            _broker.SharedSubscriptions.RewriteInbound(args);
            if (SubscriptionRules.DropsWhileClosing(args))
            {
                return Task.CompletedTask;
            }

            Protocol.DurableAcknowledgements.OnInbound(args);
            SubscriptionRules.NoteSubscribe(args);
            return Task.CompletedTask;
        };
        server.ValidatingConnectionAsync += _admission.ValidateConnectionAsync;
        server.ClientConnectedAsync += OnConnectedAsync;
        server.ClientDisconnectedAsync += OnDisconnectedAsync;
        server.InterceptingPublishAsync += _publishes.InterceptPublishAsync;
        server.InterceptingSubscriptionAsync += _subscriptions.InterceptSubscriptionAsync;
        server.InterceptingClientEnqueueAsync += _subscriptions.InterceptEnqueueAsync;
        server.ClientSubscribedTopicAsync += _commands.OnSubscribedAsync;
        server.ClientAcknowledgedPublishPacketAsync += _commands.OnAcknowledgedAsync;
        server.ApplicationMessageNotConsumedAsync += _commands.OnNotConsumedAsync;
        server.SessionDeletedAsync += args =>
        {
            _broker.SessionOwners.TryRemove(args.Id, out _);
            _expiry.Forget(args.Id);
            _broker.SharedSubscriptions.Forget(args.Id);
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

        _broker.Server = server;
        _expiry.Start();
        BrokerLog.Started(_broker.Logger, Definition.Name, Definition.BindAddress, Definition.Port);
        if (Definition.TlsPort is { } tlsPort)
        {
            BrokerLog.TlsStarted(_broker.Logger, Definition.Name, Definition.BindAddress, tlsPort);
        }
    }

    private void OnAwaitingConnectRefused(EndPoint? remote, string refusal)
    {
        if (_broker.PendingConnects.RefusalsToReport() is { } count)
        {
            BrokerLog.AwaitingConnectRefused(_broker.Logger, Definition.Name, count, remote?.ToString(), refusal);
        }
    }

    public async Task StopAsync()
    {
        if (_broker.Server is { } server)
        {
            _broker.Server = null;
            _expiry.Stop();
            await server.StopAsync(new MqttServerStopOptions());
            server.Dispose();
            BrokerLog.Stopped(_broker.Logger, Definition.Name);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public async Task<IReadOnlyList<BrokerClientDto>> ListClientsAsync()
    {
        if (_broker.Server is not { } server)
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
        _broker.Server is { } server && (await server.GetClientsAsync()).Any(c => IsDevice(c.Session.Items, deviceKey));

    /// <summary>When a connection of the device last subscribed to its commands; null when none has.</summary>
    public async Task<DateTimeOffset?> CommandsSubscribedAtAsync(string deviceKey) =>
        _broker.Server is { } server
            ? (await server.GetClientsAsync()).Where(c => IsDevice(c.Session.Items, deviceKey))
                .Select(c => c.Session.Items[CommandsSubscribedItem] as DateTimeOffset?).Max()
            : null;

    /// <summary>Closes every connection authenticated as <paramref name="deviceKey"/>.</summary>
    public async Task DisconnectDeviceAsync(string deviceKey, string reason)
    {
        if (_broker.Server is not { } server)
        {
            return;
        }

        foreach (var client in (await server.GetClientsAsync()).Where(c => IsDevice(c.Session.Items, deviceKey)))
        {
            await client.DisconnectAsync(new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized, ReasonString = reason });
        }
    }

    /// <summary>Publishes a command to the device's commands topic (QoS 1), with MQTT 5 request/response properties.</summary>
    public Task PublishCommandAsync(string deviceKey, DeviceCommand command, CommandPayload payload, CancellationToken ct) =>
        _commands.PublishCommandAsync(deviceKey, command, payload, ct);

    private MqttServerOptions BuildOptions()
    {
        var definition = Definition;
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
            .WithDefaultCommunicationTimeout(TimeSpan.FromSeconds(definition.ConnectTimeoutSeconds)); // MQTTnet's wait for CONNECT, and for a DISCONNECT to go out
        if (definition.TlsPort is { } tlsPort)
        {
            builder.WithEncryptedEndpoint()
                .WithEncryptedEndpointBoundIPAddress(v4)
                .WithEncryptedEndpointBoundIPV6Address(v6)
                .WithEncryptedEndpointPort(tlsPort)
                .WithEncryptionCertificate(_broker.Services.Authority.ServerCertificate);
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

    private Task OnConnectedAsync(ClientConnectedEventArgs args)
    {
        if (_broker.Refused.ContainsKey(args.ClientId))
        {
            return Task.CompletedTask; // admitted by MQTTnet into another client's session, and being closed
        }

        _broker.Live[args.ClientId] = true;
        _expiry.Forget(args.ClientId);
        _broker.SharedSubscriptions.Connected(args.ClientId);
        if (args.SessionItems[DeviceItem] is AuthenticatedDevice device)
        {
            _broker.Services.ConnectionChanges.Post(new DeviceConnected(Definition.Id, _broker.Services.Clock.GetUtcNow(), device.Id, device.Key, args.ClientId,
                args.RemoteEndPoint?.ToString(), ProtocolName(args.ProtocolVersion)));
        }

        return Task.CompletedTask;
    }

    private Task OnDisconnectedAsync(ClientDisconnectedEventArgs args)
    {
        _broker.Admissions.TryRemove(args.ClientId, out _);
        if (_broker.Refused.TryRemove(args.ClientId, out _) || !_broker.Live.TryRemove(args.ClientId, out _))
        {
            return Task.CompletedTask; // never counted as connected (refused at CONNACK, or MQTTnet failed to send the CONNACK)
        }

        var expiry = args.DisconnectType == MqttClientDisconnectType.Takeover ? 0u : _expiry.SessionExpiryAfter(args);
        _broker.ProtocolCompletions.OnDisconnected(args, expiry);
        _broker.SharedSubscriptions.Disconnected(args.ClientId);
        _expiry.Record(args.ClientId, expiry);
        if (args.SessionItems[DeviceItem] is AuthenticatedDevice device)
        {
            _broker.Services.ConnectionChanges.Post(new DeviceDisconnected(Definition.Id, _broker.Services.Clock.GetUtcNow(), device.Id, device.Key, args.ClientId,
                args.RemoteEndPoint?.ToString(), DisconnectReason(args)));
        }

        return Task.CompletedTask;
    }

    private static string DisconnectReason(ClientDisconnectedEventArgs args) => args.DisconnectType switch
    {
        MqttClientDisconnectType.Clean => args.ReasonCode is { } code && code != MqttDisconnectReasonCode.NormalDisconnection
            ? $"Client disconnected: {code}{(args.ReasonString is { } s ? $" ({s})" : "")}"
            : "Client disconnected",
        MqttClientDisconnectType.Takeover => "Session taken over by a new connection with the same client id",
        _ => "Connection lost (network error, keep-alive timeout or closed by the broker)",
    };

    private async Task OnOutboundAsync(InterceptingPacketEventArgs args)
    {
        if (args.Packet is MqttConnAckPacket connAck)
        {
            _admission.Admit(args, connAck);
        }
        else if (_broker.Refused.ContainsKey(args.ClientId))
        {
            args.ProcessPacket = false; // nothing of the session it landed in reaches a refused connection
            return;
        }
        else if (_subscriptions.HoldsBackWhileClosing(args))
        {
            return;
        }

        if (await Protocol.DurableAcknowledgements.OnOutboundAsync(args) is { } failure)
        {
            // Not stored: no acknowledgement, and closing the connection makes the device deliver the message again.
            BrokerLog.IntakeFailed(_broker.Logger, Definition.Name, args.SessionItems[DeviceItem] is AuthenticatedDevice device ? device.Key : args.ClientId, failure);
            _ = _broker.CloseAsync(args.ClientId, MqttDisconnectReasonCode.UnspecifiedError);
            return;
        }

        await _broker.ProtocolCompletions.OnOutboundAsync(args);
    }
}
