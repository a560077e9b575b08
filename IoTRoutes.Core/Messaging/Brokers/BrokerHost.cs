using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
using Microsoft.Extensions.Logging;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTRoutes.Core.Messaging.Brokers;

public sealed record BrokerEndpoint(string Name, IPAddress Address, int Port);

/// <summary>
/// One MQTTnet server: authenticates devices by key and secret, keeps each device under its own topics,
/// and hands accepted publishes to the durable intake before they are acknowledged.
/// </summary>
public sealed class BrokerHost(
    BrokerEndpoint endpoint,
    DeviceCredentialValidator credentials,
    DeviceConnectionTracker connections,
    MessageIntake intake,
    int maxPayloadBytes,
    TimeProvider clock,
    ILogger logger) : IAsyncDisposable
{
    private const string DeviceItem = "iotroutes.device";
    private const int MaxTopicLength = 1024;

    // Which device a session (client id) belongs to. MQTTnet hands a persistent session, with its items, to
    // whoever connects next with the same client id; without this a device could take over another's session.
    private readonly ConcurrentDictionary<string, Guid> _sessionOwners = new(StringComparer.Ordinal);
    private MqttServer? _server;

    public BrokerEndpoint Endpoint => endpoint;

    public bool IsRunning => _server?.IsStarted == true;

    public async Task StartAsync()
    {
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(endpoint.Address)
            .WithDefaultEndpointPort(endpoint.Port)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        server.ValidatingConnectionAsync += ValidateConnectionAsync;
        server.ClientConnectedAsync += OnConnectedAsync;
        server.ClientDisconnectedAsync += OnDisconnectedAsync;
        server.InterceptingPublishAsync += InterceptPublishAsync;
        server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        server.SessionDeletedAsync += args =>
        {
            _sessionOwners.TryRemove(args.Id, out _);
            return Task.CompletedTask;
        };
        await server.StartAsync();
        _server = server;
        BrokerLog.Started(logger, endpoint.Name, endpoint.Address.ToString(), endpoint.Port);
    }

    public async Task StopAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.StopAsync(new MqttServerStopOptions());
            server.Dispose();
            BrokerLog.Stopped(logger, endpoint.Name);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>Closes every connection authenticated as <paramref name="deviceKey"/>.</summary>
    public async Task DisconnectDeviceAsync(string deviceKey)
    {
        if (_server is not { } server)
        {
            return;
        }

        foreach (var client in (await server.GetClientsAsync()).Where(c => c.Session.Items[DeviceItem] is AuthenticatedDevice d && d.Key == deviceKey))
        {
            await client.DisconnectAsync(new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized, ReasonString = "The device's secret was changed." });
        }
    }

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs args)
    {
        // First, so that MQTTnet's own empty-id check cannot override the reason code chosen below.
        ClientIdAssignment.AssignWhenEmpty(args);
        AuthenticatedDevice? device;
        try
        {
            device = await credentials.ValidateAsync(args.UserName, args.Password, args.CancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            BrokerLog.ValidationFailed(logger, endpoint.Name, args.UserName, e);
            args.ReasonCode = MqttConnectReasonCode.ServerUnavailable;
            return;
        }

        if (device is null)
        {
            // Unknown key and wrong secret get the same answer: the broker does not tell which keys exist.
            BrokerLog.BadCredentials(logger, endpoint.Name, args.UserName, args.RemoteEndPoint?.ToString());
            args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            return;
        }

        var clientId = string.IsNullOrEmpty(args.ClientId) ? args.AssignedClientIdentifier : args.ClientId;
        if (_sessionOwners.GetOrAdd(clientId, device.Id) != device.Id)
        {
            BrokerLog.ClientIdTaken(logger, endpoint.Name, device.Key, clientId);
            args.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            return;
        }

        args.SessionItems[DeviceItem] = device;
    }

    private async Task OnConnectedAsync(ClientConnectedEventArgs args)
    {
        if (args.SessionItems[DeviceItem] is AuthenticatedDevice device)
        {
            await UpdateStatusAsync(device, () => connections.ConnectedAsync(device.Id, CancellationToken.None));
        }
    }

    private async Task OnDisconnectedAsync(ClientDisconnectedEventArgs args)
    {
        if (args.SessionItems[DeviceItem] is AuthenticatedDevice device)
        {
            await UpdateStatusAsync(device, () => connections.DisconnectedAsync(device.Id, CancellationToken.None));
        }
    }

    private async Task UpdateStatusAsync(AuthenticatedDevice device, Func<Task> update)
    {
        try
        {
            await update();
        }
        catch (Exception e)
        {
            BrokerLog.StatusFailed(logger, endpoint.Name, device.Key, e);
        }
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs args)
    {
        if (args.SessionItems[DeviceItem] is not AuthenticatedDevice device)
        {
            return; // injected by the platform itself (commands), not by a device
        }

        if (args.UserName != device.Key)
        {
            // A session that ended up with another device's identity: never act on it.
            BrokerLog.IdentityMismatch(logger, endpoint.Name, args.UserName, device.Key);
            args.ProcessPublish = false;
            args.CloseConnection = true;
            return;
        }

        var message = args.ApplicationMessage;
        var topic = message.Topic;
        if (string.IsNullOrEmpty(topic))
        {
            return; // an unknown topic alias: MQTTnet has already answered 0x90 topic name invalid
        }

        if (topic.Length > MaxTopicLength || topic.Contains('\0'))
        {
            Refuse(args, MqttPubAckReasonCode.TopicNameInvalid, $"Topic names have at most {MaxTopicLength} characters and no NUL character.");
            return;
        }

        if (!DeviceTopics.IsOwn(device.Key, topic))
        {
            BrokerLog.ForeignTopic(logger, endpoint.Name, device.Key, topic);
            Refuse(args, MqttPubAckReasonCode.NotAuthorized, $"Devices publish only under {DeviceTopics.RootOf(device.Key)}");
            return;
        }

        var size = message.Payload.Length;
        var stored = new Message
        {
            Id = Guid.CreateVersion7(),
            DeviceId = device.Id,
            Topic = topic,
            PayloadSize = (int)Math.Min(size, int.MaxValue),
            QualityOfService = (int)message.QualityOfServiceLevel,
            ReceivedAt = clock.GetUtcNow(),
            State = MessageState.Received,
        };
        var oversize = size > maxPayloadBytes;
        if (oversize)
        {
            BrokerLog.Oversize(logger, endpoint.Name, device.Key, topic, size, maxPayloadBytes);
            stored.State = MessageState.Rejected;
            stored.ProcessedAt = stored.ReceivedAt;
            stored.RejectionReason = $"Payload of {size} bytes exceeds the {maxPayloadBytes}-byte limit; it was not stored.";
        }
        else
        {
            stored.Payload = message.Payload.ToArray();
        }

        try
        {
            var durable = await intake.SubmitAsync(stored, args.CancellationToken);
            if (message.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce)
            {
                await durable.WaitAsync(args.CancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !args.CancellationToken.IsCancellationRequested)
        {
            // No acknowledgement: closing the connection makes the device deliver the message again.
            BrokerLog.IntakeFailed(logger, endpoint.Name, device.Key, e);
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
        if (args.SessionItems[DeviceItem] is not AuthenticatedDevice device)
        {
            return Task.CompletedTask;
        }

        if (args.UserName != device.Key)
        {
            BrokerLog.IdentityMismatch(logger, endpoint.Name, args.UserName, device.Key);
            args.ProcessSubscription = false;
            args.CloseConnection = true;
        }
        else if (!DeviceTopics.IsOwn(device.Key, args.TopicFilter.Topic))
        {
            BrokerLog.ForeignSubscription(logger, endpoint.Name, device.Key, args.TopicFilter.Topic);
            args.ProcessSubscription = false;
            args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        }

        return Task.CompletedTask;
    }
}
