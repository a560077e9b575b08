namespace IoTRoutes.Core.Files;

/// <summary>
/// Reads through <paramref name="inner"/>, showing every byte to <paramref name="inspector"/>, and ends early (as if
/// the content ended) once more than <paramref name="maxBytes"/> came: <see cref="TooLarge"/> then says so, and the
/// rest of an oversized upload is never read.
/// </summary>
internal sealed class InspectingStream(Stream inner, ContentInspector inspector, long maxBytes) : Stream
{
    public bool TooLarge { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => inspector.Size;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (TooLarge)
        {
            return 0;
        }

        var read = inner.Read(buffer);
        return Seen(buffer[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TooLarge)
        {
            return 0;
        }

        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Seen(buffer.Span[..read]);
    }

    private int Seen(ReadOnlySpan<byte> bytes)
    {
        if (inspector.Size + bytes.Length > maxBytes)
        {
            TooLarge = true;
            return 0;
        }

        inspector.Append(bytes);
        return bytes.Length;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
