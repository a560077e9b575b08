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

    internal ChannelReader<PendingMessage> Reader => _queue.Reader;

    /// <summary>Messages submitted and not yet committed (or failed): queued, or in the batch being written.</summary>
    public int Unstored => Volatile.Read(ref _unstored);

    /// <summary>Queues <paramref name="message"/>; the returned task completes when it is committed, or faults if the write failed.</summary>
    public async Task<Task> SubmitAsync(Message message, CancellationToken ct)
    {
        var pending = new PendingMessage(message);
        Interlocked.Increment(ref _unstored);
        try
        {
            await _queue.Writer.WriteAsync(pending, ct);
        }
        catch
        {
            Interlocked.Decrement(ref _unstored);
            throw;
        }

        return pending.Stored.Task;
    }

    internal void Stored(PendingMessage pending)
    {
        if (pending.Stored.TrySetResult())
        {
            Interlocked.Decrement(ref _unstored);
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
