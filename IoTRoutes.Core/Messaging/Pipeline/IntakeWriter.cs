using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>Drains <see cref="MessageIntake"/>: whatever is waiting (up to a batch) is written in one transaction.</summary>
internal sealed class IntakeWriter(
    MessageIntake intake,
    IDbContextFactory<AppDbContext> contexts,
    AcquisitionSignal acquisition,
    MessageFeed feed,
    IOptions<IntakeOptions> options,
    ILogger<IntakeWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batchSize = options.Value.BatchSize;
        var batch = new List<PendingMessage>(batchSize);
        var reader = intake.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < batchSize && reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                await WriteAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            foreach (var pending in batch)
            {
                pending.Stored.TrySetCanceled(stoppingToken);
            }
        }
    }

    private async Task WriteAsync(List<PendingMessage> batch, CancellationToken ct)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Messages.AddRange(batch.Select(p => p.Message));
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            IntakeLog.BatchFailed(logger, batch.Count, e);
            foreach (var pending in batch)
            {
                pending.Stored.TrySetException(e);
            }

            return;
        }

        foreach (var pending in batch)
        {
            pending.Stored.TrySetResult();
        }

        acquisition.Raise();
        feed.Publish(new MessagesChanged(batch.Select(p => p.Message.DeviceId).ToHashSet()));
    }
}
