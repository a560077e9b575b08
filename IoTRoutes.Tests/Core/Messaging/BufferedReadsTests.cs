using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using IoTRoutes.Core.Messaging.Brokers.Protocol;
using MQTTnet.Channel;

namespace IoTRoutes.Tests.Core.Messaging;

/// <summary>MQTTnet's small reads are served from one read of the socket, byte for byte, in order.</summary>
public sealed class BufferedReadsTests
{
    [Fact]
    public async Task Small_reads_are_served_from_one_read_of_the_socket()
    {
        var socket = new ChunkedChannel([[1, 2, 3, 4, 5, 6, 7]]);
        var reads = new BufferedReads(socket);

        Assert.Equal([1, 2], await ReadAsync(reads, 2));
        Assert.Equal([3], await ReadAsync(reads, 1));
        Assert.Equal([4, 5, 6, 7], await ReadAsync(reads, 10)); // no more than is there
        Assert.Equal(1, socket.Reads);
    }

    [Fact]
    public async Task A_packet_split_across_segments_is_read_whole_in_order()
    {
        var socket = new ChunkedChannel([[0x30, 5, 9], [8, 7, 6, 5, 0x30]]);
        var reads = new BufferedReads(socket);

        Assert.Equal([0x30, 5], await ReadAsync(reads, 2));
        Assert.Equal([9], await ReadAsync(reads, 5)); // what the first segment had left
        Assert.Equal([8, 7, 6, 5], await ReadAsync(reads, 4));
        Assert.Equal([0x30], await ReadAsync(reads, 2));
        Assert.Equal(2, socket.Reads);
    }

    [Fact]
    public async Task A_large_read_goes_straight_to_the_socket_and_a_closed_socket_reads_zero()
    {
        var large = Enumerable.Range(0, BufferedReads.BufferSize + 10).Select(i => (byte)i).ToArray();
        var socket = new ChunkedChannel([large]);
        var reads = new BufferedReads(socket);

        Assert.Equal(large, await ReadAsync(reads, large.Length));
        Assert.Empty(await ReadAsync(reads, 2));
    }

    private static async Task<byte[]> ReadAsync(BufferedReads reads, int count)
    {
        var buffer = new byte[count + 3];
        var read = await reads.ReadAsync(buffer, 3, count, CancellationToken.None);
        return buffer[3..(3 + read)];
    }

    /// <summary>A socket that delivers the given segments, one per read (as much of it as fits), then end of stream.</summary>
    private sealed class ChunkedChannel(byte[][] segments) : IMqttChannel
    {
        private Queue<byte[]> _segments = new(segments);

        public int Reads { get; private set; }
        public X509Certificate2 ClientCertificate => null!;
        public EndPoint RemoteEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 1);
        public EndPoint LocalEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 1883);
        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DisconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Reads++;
            if (!_segments.TryDequeue(out var segment))
            {
                return Task.FromResult(0);
            }

            var taken = Math.Min(count, segment.Length);
            segment.AsSpan(0, taken).CopyTo(buffer.AsSpan(offset));
            if (taken < segment.Length)
            {
                _segments = new Queue<byte[]>([segment[taken..], .. _segments]);
            }

            return Task.FromResult(taken);
        }
    }
}
