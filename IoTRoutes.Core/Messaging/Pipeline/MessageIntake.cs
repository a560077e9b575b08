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
    private Generation _generation = new();

    internal ChannelReader<PendingMessage> Reader => _queue.Reader;

    /// <summary>Messages submitted and not yet committed (or failed): queued, or in the batch being written.</summary>
    public int Unstored => Volatile.Read(ref _unstored);

    /// <summary>Queues <paramref name="message"/>; the returned task completes when it is committed, or faults if the write failed.</summary>
    public async Task<Task> SubmitAsync(Message message, CancellationToken ct)
    {
        var generation = Volatile.Read(ref _generation);
        generation.Enter();
        var pending = new PendingMessage(message, generation);
        Interlocked.Increment(ref _unstored);
        try
        {
            await _queue.Writer.WriteAsync(pending, ct);
        }
        catch
        {
            Interlocked.Decrement(ref _unstored);
            generation.Leave();
            throw;
        }

        return pending.Stored.Task;
    }

    internal void Stored(PendingMessage pending)
    {
        if (pending.Stored.TrySetResult())
        {
            Interlocked.Decrement(ref _unstored);
            pending.Generation.Leave();
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
        pending.Generation.Leave();
        return true;
    }

    /// <summary>
    /// Completes once every message submitted before this call has been stored or has failed (one submitted at the same
    /// moment may fall on either side). Used when a device is deleted: its last messages may still be on their way.
    /// </summary>
    public Task SettledAsync(CancellationToken ct)
    {
        var closed = Interlocked.Exchange(ref _generation, new Generation());
        closed.Leave(); // its own hold, so that it can settle only once closed
        return closed.Settled.WaitAsync(ct);
    }

    /// <summary>No more submissions: called at shutdown, once the brokers have stopped.</summary>
    internal void Complete() => _queue.Writer.TryComplete();

    /// <summary>The messages submitted between two calls of <see cref="SettledAsync"/>: how many are still unstored.</summary>
    internal sealed class Generation
    {
        private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _outstanding = 1; // held until a later generation replaces this one

        public Task Settled => _settled.Task;

        public void Enter() => Interlocked.Increment(ref _outstanding);

        public void Leave()
        {
            if (Interlocked.Decrement(ref _outstanding) == 0)
            {
                _settled.TrySetResult();
            }
        }
    }
}

internal sealed class PendingMessage(Message message, MessageIntake.Generation generation)
{
    public Message Message { get; } = message;
    public MessageIntake.Generation Generation { get; } = generation;
    public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
