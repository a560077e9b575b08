using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>
/// Takes stored messages in state Received, decodes them in batches and moves each to Processed or Rejected
/// (with its reason). Runs at start too, so messages stored before a crash are not left behind.
/// </summary>
internal sealed class AcquisitionWorker(
    IDbContextFactory<AppDbContext> contexts,
    AcquisitionSignal signal,
    MessageDecoder decoder,
    MessageFeed feed,
    TimeProvider clock,
    IOptions<IntakeOptions> options,
    ILogger<AcquisitionWorker> logger,
    LatestFieldValues? latest = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        signal.Raise();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(stoppingToken);
                while (await ProcessBatchAsync(stoppingToken) == options.Value.BatchSize)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                IntakeLog.AcquisitionFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
                signal.Raise();
            }
        }
    }

    /// <summary>Decodes one batch; returns how many messages it handled.</summary>
    internal async Task<int> ProcessBatchAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var batch = await db.Messages
            .Where(m => m.State == MessageState.Received)
            .OrderBy(m => m.ReceivedAt).ThenBy(m => m.Id)
            .Take(options.Value.BatchSize)
            .ToListAsync(ct);
        if (batch.Count == 0)
        {
            return 0;
        }

        var now = clock.GetUtcNow();
        foreach (var message in batch)
        {
            decoder.Decide(message, now, logger);
        }

        await db.SaveChangesAsync(ct);
        feed.Publish(new MessagesChanged(batch.Select(m => m.DeviceId).ToHashSet()));
        latest?.Committed(batch);
        return batch.Count;
    }
}
