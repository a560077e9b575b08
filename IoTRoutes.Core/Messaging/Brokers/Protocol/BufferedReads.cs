using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// Reads a connection's socket a buffer at a time. MQTTnet reads each packet in three or more small reads (fixed header,
/// remaining length, body), each a system call on a plain TCP stream; a device that pipelines its publishes sends many
/// packets per segment, and this hands them out from one read (docs/benchmarks.md). Only MQTTnet's receive loop reads.
/// </summary>
internal sealed class BufferedReads(IMqttChannel inner) : IMqttChannel
{
    // Small enough for ten thousand idle connections to cost little (each waits with its buffer), large enough for dozens
    // of typical telemetry publishes per read.
    internal const int BufferSize = 4096;

    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;
    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => inner.LocalEndPoint;
    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public void Dispose() => inner.Dispose();

    public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_start < _end)
        {
            return Task.FromResult(Take(buffer, offset, count));
        }

        if (count >= BufferSize)
        {
            return inner.ReadAsync(buffer, offset, count, cancellationToken); // a large body: straight into its own buffer
        }

        return FillAndTakeAsync(buffer, offset, count, cancellationToken);
    }

    private async Task<int> FillAndTakeAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = await inner.ReadAsync(_buffer, 0, BufferSize, cancellationToken);
        if (read <= 0)
        {
            return read; // the connection closed
        }

        (_start, _end) = (0, read);
        return Take(buffer, offset, count);
    }

    private int Take(byte[] buffer, int offset, int count)
    {
        var taken = Math.Min(count, _end - _start);
        Buffer.BlockCopy(_buffer, _start, buffer, offset, taken);
        _start += taken;
        return taken;
    }
}
