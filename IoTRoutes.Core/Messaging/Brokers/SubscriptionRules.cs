using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging.Brokers.Topics;
using IoTRoutes.Core.Messaging.Commands;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using static IoTRoutes.Core.Messaging.Brokers.BrokerSessionItems;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// What a SUBSCRIBE may get: devices only their commands, anonymous clients nothing of devices or of denied topics;
/// and which messages a subscriber is sent. A protocol violation in a SUBSCRIBE closes the connection in place of its SUBACK.
/// </summary>
internal sealed class SubscriptionRules(BrokerContext broker)
{
    public Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs args)
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

        if (broker.DeniedTopics.Refusing(filter) is { } deniedBy)
        {
            BrokerLog.DeniedSubscription(broker.Logger, broker.Definition.Name, args.ClientId, filter);
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
            BrokerLog.IdentityMismatch(broker.Logger, broker.Definition.Name, args.UserName, device.Key);
            args.ProcessSubscription = false;
            CloseWithoutSubAck(args);
        }
        else if (!IsCommandsFilter(device.Key, filter))
        {
            BrokerLog.ForeignSubscription(broker.Logger, broker.Definition.Name, device.Key, filter);
            DenySubscription(args, $"Devices subscribe only to {CommandTopics.Prefix(device.Key)}#.");
        }

        return Task.CompletedTask;
    }

    public Task InterceptEnqueueAsync(InterceptingClientApplicationMessageEnqueueEventArgs args)
    {
        var topic = args.ApplicationMessage.Topic;
        if (topic.StartsWith(DeviceTopics.Prefix, StringComparison.Ordinal)
            && broker.SessionOwners.TryGetValue(args.ReceiverClientId, out var owner) && owner == Guid.Empty)
        {
            args.AcceptEnqueue = false; // an anonymous "#" subscriber never sees a device's commands
        }
        else if (!broker.DeniedTopics.IsEmpty && broker.DeniedTopics.Hides(topic))
        {
            args.AcceptEnqueue = false; // a broad filter ("#") granted beside a denied one gets nothing of the denied topics
        }
        else
        {
            broker.MessagesOut.Mark();
        }

        return Task.CompletedTask;
    }

    /// <summary>Inbound: drops what is read on a connection closing for a protocol violation.</summary>
    public static bool DropsWhileClosing(InterceptingPacketEventArgs args)
    {
        if (args.SessionItems[ClosingItem] is not null)
        {
            args.ProcessPacket = false; // read after a protocol violation: the connection is closing
            return true;
        }

        return false;
    }

    /// <summary>Inbound: notes which SUBSCRIBE is being handled.</summary>
    public static void NoteSubscribe(InterceptingPacketEventArgs args)
    {
        if (args.Packet is MqttSubscribePacket subscribe)
        {
            args.SessionItems[SubscribingItem] = subscribe.PacketIdentifier; // which SUBACK CloseWithoutSubAck means
        }
    }

    /// <summary>Outbound: holds back what a connection closing for a protocol violation would be sent, and closes it at the refused SUBACK.</summary>
    public bool HoldsBackWhileClosing(InterceptingPacketEventArgs args)
    {
        if (args.Packet is MqttPublishPacket && args.SessionItems[ClosingItem] is not null)
        {
            // Closing for a protocol violation: nothing more is delivered, such as the retained messages of a valid
            // filter in the refused SUBSCRIBE (MQTTnet queues them behind its SUBACK, and may send them before it).
            args.ProcessPacket = false;
            return true;
        }

        if (args.Packet is MqttSubAckPacket subAck && args.SessionItems[ClosingItem] is ushort refused && refused == subAck.PacketIdentifier)
        {
            // Everything queued before this SUBACK has gone out (among them the SUBACKs of valid SUBSCRIBEs pipelined
            // before it): now the connection closes, without it.
            args.ProcessPacket = false;
            _ = broker.CloseAsync(args.ClientId, MqttDisconnectReasonCode.ProtocolError);
            return true;
        }

        return false;
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
            || broker.DeniedTopics.Refusing(s.Filter) is not null)
        {
            BrokerLog.DeniedSubscription(broker.Logger, broker.Definition.Name, args.ClientId, original);
            DenySubscription(args, $"{original} is not allowed on this broker.");
            return;
        }

        broker.SharedSubscriptions.Join(args.ClientId, s.Group, s.Filter, args.TopicFilter.QualityOfServiceLevel);
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
        Protocol.ProtocolCompletions.StopDelivering(args.SessionItems); // parked publishes skip the outbound interceptor
    }

    private static void DenySubscription(InterceptingSubscriptionEventArgs args, string text)
    {
        // MQTTnet answers 3.1.1 clients with the failure return code 0x80 for any refusal.
        args.ProcessSubscription = false;
        args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        args.Response.ReasonString = text;
    }
}
