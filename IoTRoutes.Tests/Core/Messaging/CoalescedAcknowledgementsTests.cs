using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using IoTRoutes.Core.Messaging.Brokers.Protocol;
using IoTRoutes.Tests.Infrastructure;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Messaging;

/// <summary>
/// PUBACKs released together by one commit leave in one write, in order, and nothing is held behind another packet.
/// MQTTnet's own channel adapter and formatter run on a channel that records each write (in place of the socket).
/// </summary>
public sealed class CoalescedAcknowledgementsTests
{
    private readonly IDictionary _session = new ConcurrentDictionary<object, object>();
    private readonly CancellationTokenSource _connection = new();
    private readonly RecordingChannel _socket = new();
    private readonly FakeTimeProvider _time = new();
    private readonly CoalescedAcknowledgements.Channel _channel;

    public CoalescedAcknowledgementsTests()
    {
        var formatter = new MqttPacketFormatterAdapter(MqttProtocolVersion.V311, new MqttBufferWriter(4096, 65535));
        _channel = new CoalescedAcknowledgements.Channel(new MqttChannelAdapter(_socket, formatter, new MqttNetNullLogger()), _time);
        DurableAcknowledgements.Install(_session);
    }

    [Fact]
    public async Task Acknowledgements_freed_by_one_commit_leave_in_one_write_in_order()
    {
        await ConnectAsync();
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (ushort id in new ushort[] { 1, 2, 3 })
        {
            Defer(id, commit.Task);
        }

        commit.SetResult();
        foreach (ushort id in new ushort[] { 1, 2, 3 })
        {
            await SendAsync(new MqttPubAckPacket { PacketIdentifier = id });
        }

        var write = Assert.Single(_socket.Writes);
        Assert.Equal(new byte[] { 0x40, 2, 0, 1, 0x40, 2, 0, 2, 0x40, 2, 0, 3 }, write);
    }

    [Fact]
    public async Task An_acknowledgement_with_nothing_stored_behind_it_leaves_at_once()
    {
        await ConnectAsync();
        Defer(1, Task.CompletedTask);
        Defer(2, new TaskCompletionSource().Task); // not written yet: its PUBACK cannot follow now

        await SendAsync(new MqttPubAckPacket { PacketIdentifier = 1 });

        Assert.Equal(new byte[] { 0x40, 2, 0, 1 }, Assert.Single(_socket.Writes));
    }

    [Fact]
    public async Task A_stored_message_behind_one_still_being_written_does_not_hold_the_acknowledgement_before_them()
    {
        await ConnectAsync();
        Defer(1, Task.CompletedTask);
        Defer(2, new TaskCompletionSource().Task); // its PUBACK is next, and waits for its write
        Defer(3, Task.CompletedTask);

        await SendAsync(new MqttPubAckPacket { PacketIdentifier = 1 });

        Assert.Equal(new byte[] { 0x40, 2, 0, 1 }, Assert.Single(_socket.Writes));
    }

    [Fact]
    public async Task Closing_a_connection_whose_client_stopped_reading_does_not_wait_for_the_held_acknowledgements()
    {
        await ConnectAsync();
        Defer(12, Task.CompletedTask);
        Defer(13, Task.CompletedTask);
        await SendAsync(new MqttPubAckPacket { PacketIdentifier = 12 });
        _socket.Stuck = true; // a write now waits until it is cancelled

        await _channel.DisconnectAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(_socket.Disconnected);
        Assert.Empty(_socket.Writes);
    }

    [Fact]
    public async Task Held_acknowledgements_leave_before_any_other_packet()
    {
        await ConnectAsync();
        Defer(4, Task.CompletedTask);
        Defer(5, Task.CompletedTask);
        await SendAsync(new MqttPubAckPacket { PacketIdentifier = 4 });
        Assert.Empty(_socket.Writes);

        await SendAsync(new MqttPingRespPacket());

        Assert.Equal([[0x40, 2, 0, 4], [0xD0, 0]], _socket.Writes);
    }

    [Fact]
    public async Task A_puback_with_a_reason_code_is_never_held_and_goes_whole()
    {
        await ConnectAsync();
        Defer(6, Task.CompletedTask);
        Defer(7, Task.CompletedTask);
        await SendAsync(new MqttPubAckPacket { PacketIdentifier = 6 });

        await SendAsync(new MqttPubAckPacket { PacketIdentifier = 7, ReasonCode = MqttPubAckReasonCode.QuotaExceeded });

        Assert.Equal(2, _socket.Writes.Count);
        Assert.Equal(new byte[] { 0x40, 2, 0, 6 }, _socket.Writes[0]);
        Assert.Equal(new byte[] { 0x40, 2, 0, 7 }, _socket.Writes[1]); // encoded by MQTTnet: a 3.1.1 PUBACK has no reason code to carry
    }

    [Fact]
    public async Task A_held_puback_whose_follower_never_comes_leaves_after_the_hold_limit()
    {
        await ConnectAsync();
        Defer(10, Task.CompletedTask);
        Defer(11, Task.CompletedTask); // announced to follow, but its PUBACK never reaches this connection
        await SendAsync(new MqttPubAckPacket { PacketIdentifier = 10 });

        _time.Advance(CoalescedAcknowledgements.Channel.HoldLimit - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_socket.Writes);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        await Eventually.GetAsync(() => Task.FromResult(_socket.Writes.Count == 1 ? "written" : null), "the held PUBACK written");
        Assert.Equal(new byte[] { 0x40, 2, 0, 10 }, _socket.Writes[0]);
    }

    [Fact]
    public async Task Closing_the_connection_sends_what_is_held_first()
    {
        await ConnectAsync();
        Defer(8, Task.CompletedTask);
        Defer(9, Task.CompletedTask);
        await SendAsync(new MqttPubAckPacket { PacketIdentifier = 8 });

        await _channel.DisconnectAsync(CancellationToken.None);

        Assert.Equal([[0x40, 2, 0, 8]], _socket.Writes);
        Assert.True(_socket.Disconnected);
    }

    [Fact]
    public async Task Without_a_linked_session_every_packet_goes_at_once()
    {
        await _channel.SendPacketAsync(new MqttPubAckPacket { PacketIdentifier = 1 }, CancellationToken.None);
        await _channel.SendPacketAsync(new MqttPubAckPacket { PacketIdentifier = 2 }, CancellationToken.None);

        Assert.Equal([[0x40, 2, 0, 1], [0x40, 2, 0, 2]], _socket.Writes);
    }

    private async Task ConnectAsync()
    {
        await SendAsync(new MqttConnAckPacket { ReasonCode = MqttConnectReasonCode.Success });
        _socket.Writes.Clear();
    }

    /// <summary>As the broker runs a packet out: its outbound interceptor, then the channel.</summary>
    private async Task SendAsync(MqttPacket packet)
    {
        var args = new InterceptingPacketEventArgs("c1", "dev", new IPEndPoint(IPAddress.Loopback, 1), packet, _session, _connection.Token);
        Assert.Null(await DurableAcknowledgements.OnOutboundAsync(args));
        Assert.True(args.ProcessPacket);
        await _channel.SendPacketAsync(packet, CancellationToken.None);
    }

    private void Defer(ushort packetId, Task stored)
    {
        DurableAcknowledgements.OnInbound(new InterceptingPacketEventArgs("c1", "dev", new IPEndPoint(IPAddress.Loopback, 1),
            new MqttPublishPacket { PacketIdentifier = packetId, QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, Topic = "t" }, _session, _connection.Token));
        Assert.True(DurableAcknowledgements.TryDefer(_session, _connection.Token, stored));
    }

    private sealed class RecordingChannel : IMqttChannel
    {
        public List<byte[]> Writes { get; } = [];
        public bool Stuck { get; set; }
        public bool Disconnected { get; private set; }
        public X509Certificate2 ClientCertificate => null!;
        public EndPoint RemoteEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 1);
        public EndPoint LocalEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 1883);
        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DisconnectAsync(CancellationToken cancellationToken)
        {
            Disconnected = true;
            return Task.CompletedTask;
        }

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(0);

        public async Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
        {
            if (Stuck)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            Writes.Add(buffer.ToArray());
        }

        public void Dispose()
        {
        }
    }
}
