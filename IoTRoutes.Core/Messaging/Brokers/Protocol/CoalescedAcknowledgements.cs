using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Exceptions;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// Sends the PUBACKs that a commit releases together, in one write. A batch commit frees the acknowledgements of many
/// messages of each client at once, and MQTTnet writes every packet to the socket on its own: on loopback each write
/// was a fifth of IoTRoutes' CPU (docs/benchmarks.md). A plain PUBACK (success, no properties) is held back while
/// <see cref="DurableAcknowledgements"/> says another one follows on this connection, and written with it; any other
/// packet, and the last PUBACK of a run, writes what is held first. Wraps the TCP and TLS channels (MQTTnet's
/// <see cref="MqttChannelAdapter"/>), and puts <see cref="BufferedReads"/> under them; other channels pass through unchanged.
/// </summary>
internal static class CoalescedAcknowledgements
{
    private static readonly ConditionalWeakTable<MqttConnAckPacket, DurableAcknowledgements.Pending> Links = new();

    /// <summary>The connection's adapter, coalescing its PUBACKs and buffering its reads when it is a TCP or TLS one.</summary>
    public static IMqttChannelAdapter Wrap(IMqttChannelAdapter adapter) =>
        adapter is MqttChannelAdapter channelAdapter ? new Channel(channelAdapter, TimeProvider.System) : adapter;

    /// <summary>From the outbound interceptor: the connection that sends this CONNACK acknowledges for <paramref name="session"/>.</summary>
    internal static void Link(MqttConnAckPacket connAck, DurableAcknowledgements.Pending session) => Links.AddOrUpdate(connAck, session);

    /// <summary>A plain PUBACK, the same four bytes in MQTT 3.1.1 and 5.0 (a success without properties omits the reason code).</summary>
    internal static bool IsPlain(MqttPacket packet, out ushort packetId)
    {
        if (packet is MqttPubAckPacket { ReasonCode: MqttPubAckReasonCode.Success, ReasonString: null } ack && ack.UserProperties is null or { Count: 0 })
        {
            packetId = ack.PacketIdentifier;
            return true;
        }

        packetId = 0;
        return false;
    }

    internal sealed class Channel(MqttChannelAdapter adapter, TimeProvider clock) : ChannelAdapterDecorator(adapter)
    {
        private const int MaxHeld = 1024;

        /// <summary>
        /// The longest a PUBACK is held when the one announced to follow does not come (a session taken over between the
        /// two, say): a timer then writes what is held. Normally the next arrives within microseconds.
        /// </summary>
        internal static readonly TimeSpan HoldLimit = TimeSpan.FromMilliseconds(10);

        /// <summary>How long closing the connection waits to write what is held (a client that stopped reading never takes it).</summary>
        internal static readonly TimeSpan LastFlushLimit = TimeSpan.FromSeconds(1);

        private readonly IMqttChannel _channel = BufferReads(adapter);
        private readonly SemaphoreSlim _sending = new(1, 1);
        private byte[] _held = new byte[64];
        private int _heldBytes;
        private DurableAcknowledgements.Pending? _session;
        private ITimer? _holdLimit;

        // Cancelled when the connection closes: a write the timer started on a socket nobody reads gives up.
        private readonly CancellationTokenSource _closing = new();

        public override void Dispose()
        {
            _closing.Cancel();
            _holdLimit?.Dispose();
            base.Dispose();
        }

        public override async Task DisconnectAsync(CancellationToken cancellationToken)
        {
            _closing.Cancel();
            try
            {
                // What MQTTnet counts as sent goes out before the connection closes, if the client still reads.
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                limit.CancelAfter(LastFlushLimit);
                await _sending.WaitAsync(limit.Token);
                try
                {
                    await FlushAsync(limit.Token);
                }
                finally
                {
                    _sending.Release();
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The connection is going anyway; the client sends those messages again.
            }
            finally
            {
                await base.DisconnectAsync(cancellationToken);
            }
        }

        public override async Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken)
        {
            await _sending.WaitAsync(cancellationToken);
            try
            {
                if (packet is MqttConnAckPacket connAck && Links.TryGetValue(connAck, out var session))
                {
                    _session = session;
                }

                if (_session is { } pending && IsPlain(packet, out var packetId))
                {
                    var first = _heldBytes == 0;
                    Hold(packetId);
                    if (pending.TakeMoreFollow() && _heldBytes < MaxHeld * 4)
                    {
                        if (first)
                        {
                            (_holdLimit ??= clock.CreateTimer(_ => _ = FlushHeldAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan))
                                .Change(HoldLimit, Timeout.InfiniteTimeSpan);
                        }

                        return;
                    }

                    await FlushAsync(cancellationToken);
                    return;
                }

                await FlushAsync(cancellationToken);
                await base.SendPacketAsync(packet, cancellationToken);
            }
            finally
            {
                _sending.Release();
            }
        }

        private async Task FlushHeldAsync()
        {
            try
            {
                await _sending.WaitAsync(_closing.Token);
                try
                {
                    await FlushAsync(_closing.Token);
                }
                finally
                {
                    _sending.Release();
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The connection is failing; its receive or send loop reports that and closes it.
            }
        }

        private void Hold(ushort packetId)
        {
            if (_heldBytes + 4 > _held.Length)
            {
                Array.Resize(ref _held, _held.Length * 2);
            }

            _held[_heldBytes] = (byte)MqttControlPacketType.PubAck << 4;
            _held[_heldBytes + 1] = 2;
            _held[_heldBytes + 2] = (byte)(packetId >> 8);
            _held[_heldBytes + 3] = (byte)packetId;
            _heldBytes += 4;
        }

        private async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_heldBytes == 0)
            {
                return;
            }

            var length = _heldBytes;
            _heldBytes = 0;
            try
            {
                await _channel.WriteAsync(new ReadOnlySequence<byte>(_held, 0, length), true, cancellationToken);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                throw new MqttCommunicationException(e); // as MQTTnet's adapter reports a failed write: the connection ends
            }
        }

        /// <summary>Puts <see cref="BufferedReads"/> under MQTTnet's adapter, which reads the packets through it.</summary>
        private static IMqttChannel BufferReads(MqttChannelAdapter adapter)
        {
            ref var channel = ref ChannelOf(adapter);
            channel = new BufferedReads(channel);
            return channel;
        }

        // MQTTnet's adapter writes one packet per call; the held acknowledgements go straight to its channel, under this
        // wrapper's lock, which every send of the connection takes. Pinned MQTTnet version (see ClientIdAssignment).
        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_channel")]
        private static extern ref IMqttChannel ChannelOf(MqttChannelAdapter adapter);
    }
}
