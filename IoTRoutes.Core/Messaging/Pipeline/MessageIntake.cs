using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>
/// The durable front door of the pipeline. Brokers submit messages here; <see cref="IntakeWriter"/> writes them
/// in batches (one transaction for many messages) and completes each submission once its batch is committed,
/// so a QoS 1/2 publish is acknowledged only when the message is on disk.
/// </summary>
public sealed class MessageIntake(IOptions<IntakeOptions> options)
{
    private readonly Channel<PendingMessage> _queue = Channel.CreateBounded<PendingMessage>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });

    private int _unstored;

    // Ids handed out or submitted and not yet committed (or failed): what the committed watermark must stay below.
    private readonly InFlightIds _inFlight = new(MessageIds.Next);

    // Ids submitted and not yet committed or failed (their commit releases them, not ReleaseUnsubmitted); also the lock
    // that makes "submitted?" and "in flight" change together.
    private readonly HashSet<Guid> _submitted = [];

    internal ChannelReader<PendingMessage> Reader => _queue.Reader;

    /// <summary>What this process committed lately, for the workflow runner (when it has switched it on).</summary>
    public CommittedMessages Committed { get; } = new();

    /// <summary>Messages submitted and not yet committed (or failed): queued, or in the batch being written.</summary>
    public int Unstored => Volatile.Read(ref _unstored);

    /// <summary>
    /// A new message id, counted as in flight until its message is committed (or <see cref="Release"/>d): ids come from
    /// here so that <see cref="Watermark"/> can never pass a message that is still on its way.
    /// </summary>
    public Guid NewId(DateTimeOffset receivedAt) => _inFlight.NewId(receivedAt);

    /// <summary>Forgets an id from <see cref="NewId"/> unless its message was submitted (then its commit does).</summary>
    public void ReleaseUnsubmitted(Guid id)
    {
        lock (_submitted)
        {
            if (!_submitted.Contains(id)) _inFlight.Remove(id);
        }
    }

    private void Release(Guid id)
    {
        lock (_submitted)
        {
            _inFlight.Remove(id);
            _submitted.Remove(id);
        }
    }

    /// <summary>
    /// Every message this process stores with an id below this one is committed already: workflows read the store up to
    /// it, so a message committed after a later one (another batch, a slow write) is never skipped. The lowest id still in
    /// flight, or, with none, a new id (greater than every id handed out, and lower than any to come).
    /// </summary>
    public Guid Watermark(DateTimeOffset now) => _inFlight.Watermark(now);

    /// <summary>The lowest id handed out and not yet written, if any (<see cref="InFlightIds.Lowest"/>).</summary>
    public Guid? LowestInFlight() => _inFlight.Lowest();

    /// <summary>An id greater than every message id handed out so far (and lower than any to come); not in flight.</summary>
    public Guid NewIdAboveAll(DateTimeOffset now) => _inFlight.Above(now);

    /// <summary>Queues <paramref name="message"/>; the returned task completes when it is committed, or faults if the write failed.</summary>
    public async Task<Task> SubmitAsync(Message message, CancellationToken ct)
    {
        var pending = new PendingMessage(message);
        Interlocked.Increment(ref _unstored);
        lock (_submitted)
        {
            _inFlight.Add(message.Id);
            _submitted.Add(message.Id);
        }

        try
        {
            await _queue.Writer.WriteAsync(pending, ct);
        }
        catch
        {
            Interlocked.Decrement(ref _unstored);
            Release(message.Id);
            throw;
        }

        return pending.Stored.Task;
    }

    internal void Stored(PendingMessage pending)
    {
        // Kept before the watermark can pass it: a reader below the watermark finds it here.
        Committed.Add(pending.Message);
        if (pending.Stored.TrySetResult())
        {
            Interlocked.Decrement(ref _unstored);
            Release(pending.Message.Id);
        }
    }

    /// <summary>Faults the submission; false when it had already completed.</summary>
    internal bool Failed(PendingMessage pending, Exception error)
    {
        if (!pending.Stored.TrySetException(error))
        {
            return false;
        }

        Interlocked.Decrement(ref _unstored);
        Release(pending.Message.Id);
        return true;
    }

    /// <summary>No more submissions: called at shutdown, once the brokers have stopped.</summary>
    internal void Complete() => _queue.Writer.TryComplete();
}

internal sealed class PendingMessage(Message message)
{
    public Message Message { get; } = message;
    public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
