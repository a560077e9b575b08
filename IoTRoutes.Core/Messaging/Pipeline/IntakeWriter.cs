using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>
/// Drains <see cref="MessageIntake"/>: whatever is waiting (up to a batch) is decoded and written in one transaction,
/// in its final state, so each message costs one write. (Decoding used to be a second pass that read every row back
/// and updated it; see docs/benchmarks.md for what that cost.) On PostgreSQL and SQL Server several writers drain the
/// intake at once.
/// </summary>
internal sealed class IntakeWriter(
    MessageIntake intake,
    IDbContextFactory<AppDbContext> contexts,
    Formats.JsonPayloadDecoder decoder,
    MessageFeed feed,
    IOptions<IntakeOptions> options,
    TimeProvider clock,
    ILogger<IntakeWriter> logger) : BackgroundService
{
    /// <summary>A batch at least this large means the broker is busy: the next one waits <see cref="IntakeOptions.LingerMilliseconds"/> to fill.</summary>
    internal const int BusyBatch = 32;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A server database commits several transactions at once (and groups their flushes), so while one batch waits
        // for its commit another is written; SQLite has one writer at a time. Acknowledgements stay in order either
        // way: each waits for its own message, in the client's send loop.
        int writers;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken))
        {
            writers = db is SqliteAppDbContext ? 1 : options.Value.Writers;
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(() => RunAsync(stoppingToken), CancellationToken.None)));
    }

    internal async Task RunAsync(CancellationToken stoppingToken)
    {
        var batchSize = options.Value.BatchSize;
        var linger = options.Value.LingerMilliseconds;
        var batch = new List<PendingMessage>(batchSize);
        var busy = false;
        var reader = intake.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < batchSize && reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                if (busy && linger > 0 && batch.Count < batchSize)
                {
                    // Group commit under load: every commit costs an fsync and rewrites the index pages it touches, so
                    // a moment's wait for more messages halves the writes per message (docs/benchmarks.md). An idle
                    // broker never waits: a lone message is written at once.
                    await Task.Delay(linger, stoppingToken);
                    while (batch.Count < batchSize && reader.TryRead(out var pending))
                    {
                        batch.Add(pending);
                    }
                }

                busy = batch.Count >= BusyBatch;

                // Not cancellable: a batch is committed whole or fails whole, never cut off by shutdown.
                await WriteAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the brokers have stopped (they stop first), so what is queued is all there is.
            // Write it rather than drop it: QoS 0 messages have no second chance.
            await DrainAsync(batch, batchSize);
        }
    }

    private async Task DrainAsync(List<PendingMessage> batch, int batchSize)
    {
        intake.Complete();
        do
        {
            while (batch.Count < batchSize && intake.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            if (batch.Count > 0)
            {
                await WriteAsync(batch);
                batch.Clear();
            }
        }
        while (intake.Reader.TryPeek(out _));
    }

    private async Task WriteAsync(List<PendingMessage> batch)
    {
        try
        {
            await InsertAsync(batch);
        }
        catch (Exception e) when (batch.Count > 1)
        {
            // One bad message must not fail its whole batch: write them one by one so only that one fails.
            IntakeLog.BatchRetriedOneByOne(logger, batch.Count, e);
            foreach (var pending in batch)
            {
                await WriteAsync([pending]);
            }

            return;
        }
        catch (Exception e)
        {
            var message = batch[0].Message;
            IntakeLog.WriteFailed(logger, message.Id, message.DeviceId, message.Topic, message.QualityOfService, e);
            intake.Failed(batch[0], e);
            return;
        }

        foreach (var pending in batch)
        {
            intake.Stored(pending);
        }

        feed.Publish(new MessagesChanged(batch.Select(p => p.Message.DeviceId).ToHashSet()));
    }

    private void Decode(List<PendingMessage> batch)
    {
        var now = clock.GetUtcNow();
        foreach (var pending in batch)
        {
            var message = pending.Message;
            if (message.State != Lifecycle.MessageState.Received)
            {
                continue; // already decided at the broker (an oversize payload)
            }

            MessageDecoding.Decide(message, decoder, now, logger);
        }
    }

    private async Task InsertAsync(List<PendingMessage> batch)
    {
        Decode(batch);
        await using var db = await contexts.CreateDbContextAsync();
        var messages = batch.Select(p => p.Message);
        switch (db)
        {
            case PostgreSqlAppDbContext:
                var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
                await connection.OpenAsync();
                await using (var transaction = await connection.BeginTransactionAsync())
                {
                    await PostgresMessageCopy.WriteAsync(connection, messages);
                    await transaction.CommitAsync();
                }

                break;
            case SqliteAppDbContext:
                await SqliteMessageInsert.WriteAsync(db, messages);
                break;
            default:
                db.ChangeTracker.AutoDetectChangesEnabled = false;
                db.Messages.AddRange(messages);
                await db.SaveChangesAsync();
                break;
        }
    }
}
