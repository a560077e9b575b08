namespace IoTRoutes.Core.Media;

/// <summary>
/// The time budget of one reading, checked between decoding steps and every few rows or samples. Past it,
/// <see cref="Check"/> throws <see cref="MediaTimeoutException"/> (the file is Rejected); the caller's cancellation
/// throws <see cref="OperationCanceledException"/> as usual (the file is left unread).
/// </summary>
internal sealed class MediaDeadline(TimeProvider clock, TimeSpan budget, CancellationToken cancellationToken)
{
    private readonly DateTimeOffset _end = clock.GetUtcNow() + budget;

    public TimeSpan Budget => budget;

    public void Check()
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (clock.GetUtcNow() > _end) throw new MediaTimeoutException();
    }
}

internal sealed class MediaTimeoutException() : Exception("The media reading ran out of time.");
