using System.Collections;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// Holds the PUBACK (QoS 1) or PUBREC (QoS 2) of a stored uplink until its batch is committed, without holding the
/// client's receive loop. MQTTnet awaits the publish interceptor before it reads the client's next packet, so waiting
/// there for the commit allowed one message per client per commit; here the wait moves to the client's send loop, where
/// MQTTnet sends the acknowledgements one after the other in the order the publishes arrived: each waits for its own
/// message to be on disk, and the ones behind it wait for it, so they leave in order (MQTT-4.6.0-2) whichever batch
/// committed first.
/// </summary>
internal static class DurableAcknowledgements
{
    private static readonly SessionItemKey Item = new("iotroutes.acks");

    /// <summary>
    /// At CONNACK. MQTTnet drops the acknowledgements still queued in a resumed session (the client sends those
    /// messages again), so the entries of finished writes go; unfinished ones stay for a late acknowledgement of the
    /// previous connection.
    /// </summary>
    public static void Install(IDictionary sessionItems)
    {
        if (sessionItems[Item] is Pending pending)
        {
            pending.ForgetFinished();
        }
        else
        {
            sessionItems[Item] = new Pending();
        }
    }

    /// <summary>Inbound interceptor: notes the packet id of the publish MQTTnet is about to hand to the publish interceptor.</summary>
    public static void OnInbound(InterceptingPacketEventArgs args)
    {
        if (args.Packet is MqttPublishPacket { QualityOfServiceLevel: not MqttQualityOfServiceLevel.AtMostOnce } publish && args.SessionItems[Item] is Pending pending)
        {
            pending.Receiving(args.CancellationToken, publish.PacketIdentifier);
        }
    }

    /// <summary>
    /// From the publish interceptor: the acknowledgement of the publish being handled waits for <paramref name="stored"/>.
    /// False when the publish did not come from this connection's receive loop (a will, or another connection of the
    /// same session during a takeover): the caller then waits for the write itself.
    /// </summary>
    public static bool TryDefer(IDictionary sessionItems, CancellationToken connection, Task stored) =>
        sessionItems[Item] is Pending pending && pending.TryAdd(connection, stored);

    /// <summary>
    /// Outbound interceptor: a PUBACK or PUBREC leaves once its message is stored, or not at all. Returns the write's
    /// failure, after which the caller closes the connection so the device delivers the message again.
    /// </summary>
    public static ValueTask<Exception?> OnOutboundAsync(InterceptingPacketEventArgs args)
    {
        var packetId = args.Packet switch
        {
            MqttPubAckPacket ack => ack.PacketIdentifier,
            MqttPubRecPacket rec => rec.PacketIdentifier,
            _ => (ushort)0,
        };
        if (packetId == 0 || args.SessionItems[Item] is not Pending pending || pending.Take(packetId) is not { } stored || stored.IsCompletedSuccessfully)
        {
            return ValueTask.FromResult<Exception?>(null);
        }

        return WaitAsync(args, stored);
    }

    private static async ValueTask<Exception?> WaitAsync(InterceptingPacketEventArgs args, Task stored)
    {
        try
        {
            await stored.WaitAsync(args.CancellationToken);
            return null;
        }
        catch (OperationCanceledException) when (args.CancellationToken.IsCancellationRequested)
        {
            args.ProcessPacket = false; // the connection is closing; the client sends the message again
            return null;
        }
        catch (Exception e)
        {
            args.ProcessPacket = false;
            return e;
        }
    }

    private sealed class Pending
    {
        private readonly Dictionary<ushort, Task> _byPacketId = [];
        private CancellationToken _receivingOn;
        private ushort _receiving;

        /// <summary>The connection (its token) and packet id of the publish its receive loop is handing over.</summary>
        public void Receiving(CancellationToken connection, ushort packetId)
        {
            lock (_byPacketId)
            {
                (_receivingOn, _receiving) = (connection, packetId);
            }
        }

        public bool TryAdd(CancellationToken connection, Task stored)
        {
            lock (_byPacketId)
            {
                if (_receiving == 0 || _receivingOn != connection)
                {
                    return false;
                }

                var packetId = _receiving;
                _receiving = 0;
                // The same id again before its acknowledgement left: a redelivery. Its acknowledgement waits for both
                // writes while the first is still running.
                _byPacketId[packetId] = _byPacketId.TryGetValue(packetId, out var earlier) && !earlier.IsCompleted ? Task.WhenAll(earlier, stored) : stored;
                return true;
            }
        }

        public Task? Take(ushort packetId)
        {
            lock (_byPacketId)
            {
                return _byPacketId.Remove(packetId, out var stored) ? stored : null;
            }
        }

        public void ForgetFinished()
        {
            lock (_byPacketId)
            {
                foreach (var (packetId, stored) in _byPacketId)
                {
                    if (stored.IsCompleted)
                    {
                        _byPacketId.Remove(packetId);
                    }
                }

                _receiving = 0;
            }
        }
    }
}
