using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging.Commands;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using static IoTRoutes.Core.Messaging.Brokers.BrokerSessionItems;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>Publishes commands to devices and reports their fate: the device subscribed, acknowledged, or nobody took it.</summary>
internal sealed class CommandDelivery(BrokerContext broker)
{
    /// <summary>Publishes a command to the device's commands topic (QoS 1), with MQTT 5 request/response properties.</summary>
    public async Task PublishCommandAsync(string deviceKey, DeviceCommand command, CommandPayload payload, CancellationToken ct)
    {
        if (broker.Server is not { } server)
        {
            throw new InvalidOperationException($"Broker {broker.Definition.Name} is not running.");
        }

        var remaining = command.ExpiresAt - broker.Services.Clock.GetUtcNow();
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(CommandTopics.Command(deviceKey, command.Id))
            .WithPayload(payload.Bytes)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType(payload.IsEnvelope ? "application/json" : "application/octet-stream")
            .WithPayloadFormatIndicator(payload.IsEnvelope ? MqttPayloadFormatIndicator.CharacterData : MqttPayloadFormatIndicator.Unspecified)
            .WithResponseTopic(CommandTopics.Reply(deviceKey, command.Id))
            .WithCorrelationData(command.Id.ToByteArray())
            .WithMessageExpiryInterval((uint)Math.Max(1, remaining.TotalSeconds))
            .WithUserProperty("command", System.Text.Encoding.UTF8.GetBytes(command.Name))
            .Build();
        await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = PlatformClientId }, ct);
    }

    public async Task OnSubscribedAsync(ClientSubscribedTopicEventArgs args)
    {
        if (args.SessionItems[DeviceItem] is AuthenticatedDevice device && CommandTopics.CoversCommands(device.Key, args.TopicFilter.Topic))
        {
            var now = broker.Services.Clock.GetUtcNow();
            // MQTTnet raises this once the subscription is in place: a command published from now on reaches it.
            args.SessionItems[CommandsSubscribedItem] = now;
            await broker.Services.Events.PublishAsync(new DeviceSubscribedToCommands(broker.Definition.Id, now, device.Id), CancellationToken.None);
        }
    }

    public async Task OnAcknowledgedAsync(ClientAcknowledgedPublishPacketEventArgs args)
    {
        broker.ProtocolCompletions.OnAcknowledged(args);
        if (args.IsCompleted && args.SessionItems[DeviceItem] is AuthenticatedDevice device
            && CommandTopics.TryParse(args.PublishPacket.Topic, out var key, out var commandId, out var isReply) && !isReply && key == device.Key)
        {
            await broker.Services.Events.PublishAsync(new CommandAcknowledged(broker.Definition.Id, broker.Services.Clock.GetUtcNow(), device.Id, commandId), CancellationToken.None);
        }
    }

    public async Task OnNotConsumedAsync(ApplicationMessageNotConsumedEventArgs args)
    {
        if (args.SenderId == PlatformClientId && CommandTopics.TryParse(args.ApplicationMessage.Topic, out _, out var commandId, out var isReply) && !isReply)
        {
            await broker.Services.Events.PublishAsync(new CommandNotConsumed(broker.Definition.Id, broker.Services.Clock.GetUtcNow(), commandId), CancellationToken.None);
        }
    }
}
