using System.Buffers;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>
/// A bridge's inbound side: maps each received message to a device topic, hands it to <see cref="IMqttBridgeInbound"/>,
/// and acknowledges it to the broker once stored, in the order of arrival. MQTTnet calls <see cref="OnMessageAsync"/>
/// for one message at a time; storing goes on while the next ones come in.
/// </summary>
internal sealed class InboundFlow(
    Guid bridgeId, MqttBridgeRoutes routes, string scopePath, IMqttBridgeInbound inbound, MqttBridgeCounters counters,
    Func<Task> disconnect, ILogger logger)
{
    private InboundSession _session = new();

    /// <summary>The session of the connection now being made; the previous one must have ended.</summary>
    public InboundSession Begin()
    {
        var session = new InboundSession();
        Volatile.Write(ref _session, session);
        return session;
    }

    public InboundSession Current => Volatile.Read(ref _session);

    public async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        // Acknowledged once stored (AcknowledgeInOrderAsync): a QoS 1 or 2 message the platform has not stored is delivered again.
        e.AutoAcknowledge = false;
        var session = Current;
        if (session.Closing)
        {
            return; // stopping: not acknowledged, so the broker delivers it again next time
        }

        counters.Received();
        var message = e.ApplicationMessage;
        var (key, target, why) = Resolve(message);
        try
        {
            await session.Window.WaitAsync(session.Ended);
        }
        catch (OperationCanceledException)
        {
            return; // the connection is over: the broker delivers the message again
        }

        Task<MqttBridgeDelivery> stored;
        if (why is not null)
        {
            Drop(message.Topic, why);
            stored = Task.FromResult(MqttBridgeDelivery.Stored); // nothing to store: acknowledged in its turn
        }
        else
        {
            var uplink = new MqttBridgeUplink(scopePath, key!, target!, message.Payload.ToArray(), (int)message.QualityOfServiceLevel);
            try
            {
                stored = await inbound.SubmitAsync(uplink, session.Ended);
            }
            catch (Exception error)
            {
                stored = Task.FromException<MqttBridgeDelivery>(error);
            }
        }

        session.LastAcknowledgement = AcknowledgeInOrderAsync(e, key, stored, session.LastAcknowledgement, session);
    }

    /// <summary>
    /// Acknowledges <paramref name="e"/> once its message is stored and the message before it acknowledged (MQTT
    /// acknowledges in the order of arrival). A message that could not be stored ends the connection unacknowledged, and
    /// with it every later one: the broker delivers them again on the next.
    /// </summary>
    private async Task AcknowledgeInOrderAsync(MqttApplicationMessageReceivedEventArgs e, string? key, Task<MqttBridgeDelivery> stored, Task previous, InboundSession session)
    {
        try
        {
            var topic = e.ApplicationMessage.Topic;
            try
            {
                if (await stored.WaitAsync(session.Ended) == MqttBridgeDelivery.UnknownDevice)
                {
                    Drop(topic, $"no device has the key '{key}'{(scopePath == "/" ? "" : " in the bridge's entity")}");
                }
            }
            catch (OperationCanceledException) when (session.Ended.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                if (session.End())
                {
                    MqttBridgeLog.DeliveryFailed(logger, bridgeId, topic, error);
                    _ = Task.Run(disconnect, CancellationToken.None); // not from MQTTnet's receiving loop: disconnecting waits for it
                }

                return;
            }

            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!session.Ended.IsCancellationRequested)
            {
                await e.AcknowledgeAsync(session.Ended);
            }
        }
        catch (Exception error) when (error is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is gone: the broker delivers the message again, or (QoS 0) it is lost like any QoS 0 message.
        }
        finally
        {
            session.Window.Release();
        }
    }

    /// <summary>The device key and topic the first matching inbound mapping gives <paramref name="message"/>, or why there are none.</summary>
    private (string? Key, string? Target, string? Why) Resolve(MqttApplicationMessage message)
    {
        if (message.Retain)
        {
            return (null, null, "a retained message (MQTT 3.1.1 sends them at every subscription): not an uplink happening now");
        }

        var target = routes.Inbound.Select(m => m.Map(message.Topic)).FirstOrDefault(t => t is not null);
        if (target is null)
        {
            return (null, null, "no inbound mapping matches the topic");
        }

        var (key, why) = TopicMapping.ReadDeviceTopic(target);
        return (key, target, why);
    }

    private void Drop(string topic, string why)
    {
        counters.Dropped(topic, why);
        MqttBridgeLog.MessageDropped(logger, bridgeId, topic, why);
    }
}
