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
        new BoundedChannelOptions(options.Value.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    internal ChannelReader<PendingMessage> Reader => _queue.Reader;

    /// <summary>Queues <paramref name="message"/>; the returned task completes when it is committed, or faults if the write failed.</summary>
    public async Task<Task> SubmitAsync(Message message, CancellationToken ct)
    {
        var pending = new PendingMessage(message);
        await _queue.Writer.WriteAsync(pending, ct);
        return pending.Stored.Task;
    }

    /// <summary>No more submissions: called at shutdown, once the brokers have stopped.</summary>
    internal void Complete() => _queue.Writer.TryComplete();
}

internal sealed class PendingMessage(Message message)
{
    public Message Message { get; } = message;
    public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
