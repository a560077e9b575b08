namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// The communicator's timeout applied to each step (connecting, each reply, each block of data) rather than to the whole
/// operation: a large file that keeps moving is not cut off, a server that stops answering fails within the timeout.
/// </summary>
internal sealed class StepTimeout : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _caller;
    private readonly TimeSpan _limit;

    public StepTimeout(TimeSpan limit, CancellationToken caller)
    {
        _limit = limit;
        _caller = caller;
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _source.CancelAfter(limit);
    }

    public TimeSpan Limit => _limit;

    /// <summary>Cancelled when the current step has run out of time, or when the caller cancels.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Gives the next step the whole timeout again; returns <see cref="Token"/>.</summary>
    public CancellationToken Restart()
    {
        _source.CancelAfter(_limit);
        return _source.Token;
    }

    /// <summary>Whether this timeout, not the caller, cancelled <see cref="Token"/>.</summary>
    public bool Expired => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    public void Dispose() => _source.Dispose();
}
