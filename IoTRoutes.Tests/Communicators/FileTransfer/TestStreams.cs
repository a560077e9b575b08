namespace IoTRoutes.Tests.Communicators.FileTransfer;

/// <summary>
/// Content that gives its first <c>before</c> bytes, then waits until <see cref="Release"/> (or fails, when made with
/// <c>fail: true</c>) before the rest: an upload caught in the middle.
/// </summary>
internal sealed class PausingStream(byte[] content, int before, bool fail = false) : Stream
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _position;

    /// <summary>Completes when the first part has been read and the stream waits.</summary>
    public Task Paused => _paused.Task;

    public void Release() => _released.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position == before)
        {
            _paused.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
            if (fail)
            {
                throw new IOException("The content could not be read (a test failure).");
            }
        }

        var end = _position < before ? before : content.Length;
        var count = Math.Min(buffer.Length, end - _position);
        content.AsMemory(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
