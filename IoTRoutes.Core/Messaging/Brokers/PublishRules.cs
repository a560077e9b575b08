using System.Buffers;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Media.Intake;
using IoTRoutes.Core.Messaging.Commands;
using IoTRoutes.Core.Messaging.Lifecycle;
using MQTTnet.Protocol;
using MQTTnet.Server;
using static IoTRoutes.Core.Messaging.Brokers.BrokerSessionItems;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// What happens to a PUBLISH: devices publish only under their own topics, replies to commands are recorded, uplinks are
/// stored before they are acknowledged; anonymous clients of a test-bench broker get a plain broker.
/// </summary>
internal sealed class PublishRules(BrokerContext broker)
{
    private const int MaxTopicLength = 1024;

    public async Task InterceptPublishAsync(InterceptingPublishEventArgs args)
    {
        if (broker.ProtocolCompletions.OnPublish(args, forwarded: args.SessionItems[DeviceItem] is not AuthenticatedDevice))
        {
            return; // a will held back for its delay
        }

        if (args.ClientId == PlatformClientId)
        {
            return; // a command injected by the platform
        }

        broker.MessagesIn.Mark();
        var definition = broker.Definition;
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

        if (topic.Length > MaxTopicLength) // U+0000 never gets here: InboundRules closes the connection as malformed
        {
            Refuse(args, MqttPubAckReasonCode.TopicNameInvalid, $"Topic names have at most {MaxTopicLength} characters.");
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
                BrokerLog.Oversize(broker.Logger, definition.Name, "(anonymous)", topic, message.Payload.Length, definition.MaxPayloadBytes);
                Refuse(args, MqttPubAckReasonCode.QuotaExceeded, $"Payloads have at most {definition.MaxPayloadBytes} bytes on this broker.");
            }
            else if (!broker.SharedSubscriptions.IsEmpty && broker.Server is { } server && (broker.DeniedTopics.IsEmpty || !broker.DeniedTopics.Hides(topic)))
            {
                await broker.SharedSubscriptions.DeliverAsync(server, message);
            }

            return;
        }

        if (args.UserName is { Length: > 0 } user && user != device.Key)
        {
            // A session that ended up with another device's identity: never act on it.
            BrokerLog.IdentityMismatch(broker.Logger, definition.Name, args.UserName, device.Key);
            args.ProcessPublish = false;
            args.CloseConnection = true;
            return;
        }

        if (!DeviceTopics.IsOwn(device.Key, topic))
        {
            BrokerLog.ForeignTopic(broker.Logger, definition.Name, device.Key, topic);
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
        await broker.Services.Events.PublishAsync(new CommandReplied(broker.Definition.Id, broker.Services.Clock.GetUtcNow(), device.Id, commandId, payload.ToArray()), args.CancellationToken);
        args.ProcessPublish = false;
    }

    private async Task StoreUplinkAsync(InterceptingPublishEventArgs args, AuthenticatedDevice device, string topic)
    {
        MediaArrival? media = null;
        if (MediaTopics.NameOf(topic) is { } name && args.ApplicationMessage.Payload.Length <= broker.Definition.MaxPayloadBytes)
        {
            try
            {
                var bytes = args.ApplicationMessage.Payload.ToArray();
                media = await broker.Services.Media.PrepareAsync(device.Id, name, args.ApplicationMessage.ContentType, new MemoryStream(bytes, writable: false), bytes, args.CancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !args.CancellationToken.IsCancellationRequested)
            {
                BrokerLog.IntakeFailed(broker.Logger, broker.Definition.Name, device.Key, e);
                args.ProcessPublish = false;
                args.CloseConnection = true;
                return;
            }
        }

        var receivedAt = broker.Services.Clock.GetUtcNow();
        var id = broker.Services.Intake.NewId(receivedAt);
        try
        {
            await StoreUplinkAsync(args, device, topic, id, receivedAt, media);
        }
        finally
        {
            // Submitted, the intake forgets the id at its commit; a message that never got there must not hold the watermark back.
            broker.Services.Intake.ReleaseUnsubmitted(id);
        }
    }

    private async Task StoreUplinkAsync(InterceptingPublishEventArgs args, AuthenticatedDevice device, string topic, Guid id, DateTimeOffset receivedAt, MediaArrival? media)
    {
        var definition = broker.Definition;
        var message = args.ApplicationMessage;
        var size = message.Payload.Length;
        var stored = new Message
        {
            Id = id,
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
            BrokerLog.Oversize(broker.Logger, definition.Name, device.Key, topic, size, definition.MaxPayloadBytes);
            stored.State = MessageState.Rejected;
            stored.ProcessedAt = stored.ReceivedAt;
            stored.RejectionReason = $"Payload of {size} bytes exceeds the {definition.MaxPayloadBytes}-byte limit; it was not stored.";
        }
        else if (media is not null)
        {
            media.Into(stored); // a file, saved and read: the message holds the reading, not the bytes
        }
        else
        {
            stored.Payload = message.Payload.ToArray();
        }

        try
        {
            var durable = await broker.Services.Intake.SubmitAsync(stored, args.CancellationToken);
            if (message.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce && !Protocol.DurableAcknowledgements.TryDefer(args.SessionItems, args.CancellationToken, durable))
            {
                await durable.WaitAsync(args.CancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !args.CancellationToken.IsCancellationRequested)
        {
            // No acknowledgement: closing the connection makes the device deliver the message again.
            BrokerLog.IntakeFailed(broker.Logger, definition.Name, device.Key, e);
            args.ProcessPublish = false;
            args.CloseConnection = true;
            return;
        }

        if (media?.File is { } file)
        {
            await broker.Services.Media.LinkAsync(file.Id, id, CancellationToken.None);
        }

        if (oversize)
        {
            Refuse(args, MqttPubAckReasonCode.QuotaExceeded, stored.RejectionReason!);
            return;
        }

        if (media?.Rejection is { } unreadable)
        {
            // Kept as Rejected, and an MQTT 5 device hears at once that its file was not usable.
            Refuse(args, MqttPubAckReasonCode.PayloadFormatInvalid, unreadable);
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
}
