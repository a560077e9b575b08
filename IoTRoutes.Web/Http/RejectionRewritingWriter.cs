using System.Buffers;
using System.IO.Pipelines;

namespace IoTRoutes.Web.Http;

/// <summary>
/// The connection's output as Kestrel sees it. While the application handles a request, bytes go straight through.
/// Otherwise they are held until the flush and passed to <see cref="RejectionProblem"/>, which gives Kestrel's own
/// empty error responses a problem document; anything else (HTTP/2 frames, for one) goes out unchanged.
/// </summary>
internal sealed class RejectionRewritingWriter(PipeWriter inner, RequestsInApp requests) : PipeWriter
{
    private readonly ArrayBufferWriter<byte> _held = new();
    private bool _holding;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        _holding = _held.WrittenCount > 0 || !requests.Any;
        return _holding ? _held.GetMemory(sizeHint) : inner.GetMemory(sizeHint);
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        if (_holding) _held.Advance(bytes);
        else inner.Advance(bytes);
    }

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Release();
        return await inner.FlushAsync(cancellationToken);
    }

    public override void Complete(Exception? exception = null)
    {
        Release();
        inner.Complete(exception);
    }

    public override async ValueTask CompleteAsync(Exception? exception = null)
    {
        Release();
        await inner.CompleteAsync(exception);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + _held.WrittenCount;

    private void Release()
    {
        if (_held.WrittenCount == 0)
        {
            return;
        }

        inner.Write(RejectionProblem.Rewrite(_held.WrittenSpan) ?? _held.WrittenSpan);
        _held.ResetWrittenCount();
    }
}
