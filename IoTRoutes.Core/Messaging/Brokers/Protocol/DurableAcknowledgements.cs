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
        if (args.Packet is MqttConnAckPacket connAck && args.SessionItems[Item] is Pending session)
        {
            CoalescedAcknowledgements.Link(connAck, session);
        }

        var packetId = args.Packet switch
        {
            MqttPubAckPacket ack => ack.PacketIdentifier,
            MqttPubRecPacket rec => rec.PacketIdentifier,
            _ => (ushort)0,
        };
        if (packetId == 0 || args.SessionItems[Item] is not Pending pending)
        {
            return ValueTask.FromResult<Exception?>(null);
        }

        if (pending.Take(packetId) is not { } stored || stored.IsCompletedSuccessfully)
        {
            pending.NoteWhatFollows(args.CancellationToken);
            return ValueTask.FromResult<Exception?>(null);
        }

        return WaitAsync(args, stored, pending);
    }

    private static async ValueTask<Exception?> WaitAsync(InterceptingPacketEventArgs args, Task stored, Pending pending)
    {
        try
        {
            await stored.WaitAsync(args.CancellationToken);
            pending.NoteWhatFollows(args.CancellationToken);
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

    /// <summary>A session's acknowledgements that wait for their writes, by packet id.</summary>
    internal sealed class Pending
    {
        private readonly Dictionary<ushort, Entry> _byPacketId = [];
        // The entries in the order their publishes arrived, which is the order their acknowledgements leave. An item whose
        // entry has gone (or was replaced by a redelivery's) is stale and dropped when it reaches the front.
        private readonly Queue<(ushort PacketId, long Sequence)> _order = new();
        private long _sequence;
        private CancellationToken _receivingOn;
        private ushort _receiving;
        private volatile bool _moreFollow;

        /// <summary>
        /// Whether the acknowledgement being sent is followed at once by another that is free to go (the next one queued
        /// on the same connection, its message stored): <see cref="CoalescedAcknowledgements"/> then holds it back to send
        /// them together. Read once by the send that follows <see cref="NoteWhatFollows"/>.
        /// </summary>
        public bool TakeMoreFollow()
        {
            var more = _moreFollow;
            _moreFollow = false;
            return more;
        }

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
                var sequence = ++_sequence;
                _byPacketId[packetId] = new Entry(
                    _byPacketId.TryGetValue(packetId, out var earlier) && !earlier.Stored.IsCompleted ? Task.WhenAll(earlier.Stored, stored) : stored,
                    connection,
                    sequence);
                _order.Enqueue((packetId, sequence));
                return true;
            }
        }

        public Task? Take(ushort packetId)
        {
            lock (_byPacketId)
            {
                return _byPacketId.Remove(packetId, out var entry) ? entry.Stored : null;
            }
        }

        /// <summary>Called as an acknowledgement leaves (after <see cref="Take"/>): is the next one queued behind it stored already?</summary>
        public void NoteWhatFollows(CancellationToken connection)
        {
            var more = false;
            lock (_byPacketId)
            {
                while (_order.TryPeek(out var front) && !IsLive(front, out _))
                {
                    _order.Dequeue(); // its acknowledgement has left
                }

                foreach (var item in _order)
                {
                    // An earlier connection's entry waits for a redelivery; its acknowledgement does not come here.
                    if (IsLive(item, out var entry) && entry.Connection == connection)
                    {
                        more = entry.Stored.IsCompletedSuccessfully;
                        break;
                    }
                }
            }

            _moreFollow = more;
        }

        public void ForgetFinished()
        {
            lock (_byPacketId)
            {
                foreach (var (packetId, entry) in _byPacketId)
                {
                    if (entry.Stored.IsCompleted)
                    {
                        _byPacketId.Remove(packetId);
                    }
                }

                var live = _order.Where(item => IsLive(item, out _)).ToList();
                _order.Clear();
                live.ForEach(_order.Enqueue);
                _receiving = 0;
                _moreFollow = false;
            }
        }

        private bool IsLive((ushort PacketId, long Sequence) item, out Entry entry) =>
            _byPacketId.TryGetValue(item.PacketId, out entry) && entry.Sequence == item.Sequence;

        private readonly record struct Entry(Task Stored, CancellationToken Connection, long Sequence);
    }
}
