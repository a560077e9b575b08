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

    private MessageIntake Intake => intake;
    private IntakeOptions Options => options.Value;
    private ILogger Logger => logger;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunWritersAsync(stoppingToken);

    /// <summary>Every writer of this database, until <paramref name="stoppingToken"/> ends them (then what is queued is written).</summary>
    internal async Task RunWritersAsync(CancellationToken stoppingToken)
    {
        // A server database commits several transactions at once (and groups their flushes), so while one batch waits
        // for its commit another is written; SQLite has one writer at a time. Acknowledgements stay in order either
        // way: each waits for its own message, in the client's send loop.
        bool sqlite;
        await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None))
        {
            sqlite = db is SqliteAppDbContext;
        }

        if (sqlite)
        {
            await SqliteGroupCommit.RunAsync(this, stoppingToken);
            return;
        }

        await Task.WhenAll(Enumerable.Range(0, options.Value.Writers).Select(_ => Task.Run(() => RunAsync(stoppingToken), CancellationToken.None)));
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
                Fill(batch, batchSize);
                if (busy && linger > 0 && batch.Count < batchSize)
                {
                    // Group commit under load: every commit costs an fsync and rewrites the index pages it touches, so
                    // a moment's wait for more messages halves the writes per message (docs/benchmarks.md). An idle
                    // broker never waits: a lone message is written at once.
                    await Task.Delay(linger, stoppingToken);
                    Fill(batch, batchSize);
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

    private AppDbContext CreateContext() => contexts.CreateDbContext();

    private void Fill(List<PendingMessage> batch, int batchSize)
    {
        while (batch.Count < batchSize && intake.Reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }
    }

    /// <summary>
    /// SQLite's intake: a writer thread commits batch after batch without waiting for the disk, and a sync thread makes
    /// them durable (one fsync of the log for all the batches committed since its last one) and only then completes
    /// them, so the fsync of one batch overlaps the writing of the next. Dedicated threads, because on a busy machine a
    /// pool thread's turn comes after every connection's socket work, and each wait there stretched the whole cycle.
    /// </summary>
    private sealed class SqliteGroupCommit(IntakeWriter owner, SqliteMessageInsert writer)
    {
        private readonly Queue<List<PendingMessage>> _committed = new();
        private bool _finished;

        public static Task RunAsync(IntakeWriter owner, CancellationToken stoppingToken)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    SqliteMessageInsert insert;
                    using (var db = owner.CreateContext())
                    {
                        insert = SqliteMessageInsert.Open(db, deferSync: true);
                    }

                    using (insert)
                    {
                        new SqliteGroupCommit(owner, insert).Run(stoppingToken);
                    }

                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            })
            {
                IsBackground = true,
                Name = "IoTRoutes intake writer",
            };
            thread.Start();
            return done.Task;
        }

        private void Run(CancellationToken stoppingToken)
        {
            var sync = new Thread(SyncLoop) { IsBackground = true, Name = "IoTRoutes intake sync" };
            sync.Start();
            try
            {
                WriteLoop(stoppingToken);
            }
            finally
            {
                lock (_committed)
                {
                    _finished = true;
                    Monitor.Pulse(_committed);
                }

                sync.Join();
            }
        }

        private void WriteLoop(CancellationToken stoppingToken)
        {
            var options = owner.Options;
            var busy = false;
            var reader = owner.Intake.Reader;
            try
            {
                while (WaitToRead(reader, stoppingToken))
                {
                    var batch = new List<PendingMessage>(options.BatchSize);
                    owner.Fill(batch, options.BatchSize);
                    if (busy && options.LingerMilliseconds > 0 && batch.Count < options.BatchSize)
                    {
                        Thread.Sleep(options.LingerMilliseconds); // group commit under load, as in RunAsync
                        owner.Fill(batch, options.BatchSize);
                    }

                    busy = batch.Count >= BusyBatch;
                    Commit(batch);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down after the brokers: write what is queued (QoS 0 messages have no second chance).
                owner.Intake.Complete();
                while (owner.Intake.Reader.TryPeek(out _))
                {
                    var batch = new List<PendingMessage>(options.BatchSize);
                    owner.Fill(batch, options.BatchSize);
                    Commit(batch);
                }
            }
        }

        private static bool WaitToRead(System.Threading.Channels.ChannelReader<PendingMessage> reader, CancellationToken stoppingToken)
        {
            var waiting = reader.WaitToReadAsync(stoppingToken);
            return waiting.IsCompletedSuccessfully ? waiting.Result : waiting.AsTask().GetAwaiter().GetResult();
        }

        /// <summary>Writes the batch (one by one if the batch fails, so only a bad message fails) and queues what was written for the sync.</summary>
        private void Commit(List<PendingMessage> batch)
        {
            owner.Decode(batch);
            try
            {
                writer.Write(batch.ConvertAll(p => p.Message));
            }
            catch (Exception e) when (batch.Count > 1)
            {
                IntakeLog.BatchRetriedOneByOne(owner.Logger, batch.Count, e);
                batch = batch.Where(TryWriteOne).ToList();
            }
            catch (Exception e)
            {
                owner.Fail(batch[0], e);
                return;
            }

            if (batch.Count == 0)
            {
                return;
            }

            if (!writer.DefersSync)
            {
                owner.Complete(batch); // already durable: synchronous FULL
                return;
            }

            lock (_committed)
            {
                _committed.Enqueue(batch);
                Monitor.Pulse(_committed);
            }
        }

        private bool TryWriteOne(PendingMessage pending)
        {
            try
            {
                writer.Write([pending.Message]);
                return true;
            }
            catch (Exception e)
            {
                owner.Fail(pending, e);
                return false;
            }
        }

        private void SyncLoop()
        {
            var ready = new List<List<PendingMessage>>();
            while (true)
            {
                lock (_committed)
                {
                    while (_committed.Count == 0 && !_finished)
                    {
                        Monitor.Wait(_committed);
                    }

                    if (_committed.Count == 0)
                    {
                        return; // finished, and everything synced
                    }

                    ready.AddRange(_committed);
                    _committed.Clear();
                }

                try
                {
                    writer.SyncToDisk();
                    foreach (var batch in ready)
                    {
                        owner.Complete(batch);
                    }
                }
                catch (Exception e)
                {
                    // Committed but not known to be on disk: not acknowledged, so the devices send them again.
                    foreach (var pending in ready.SelectMany(b => b))
                    {
                        owner.Fail(pending, e);
                    }
                }

                ready.Clear();
            }
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
            Fail(batch[0], e);
            return;
        }

        Complete(batch);
    }

    private void Fail(PendingMessage pending, Exception error)
    {
        var message = pending.Message;
        IntakeLog.WriteFailed(logger, message.Id, message.DeviceId, message.Topic, message.QualityOfService, error);
        intake.Failed(pending, error);
    }

    private void Complete(List<PendingMessage> batch)
    {
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
                await SqliteMessageInsert.WriteAsync(db, [.. messages]);
                break;
            default:
                db.ChangeTracker.AutoDetectChangesEnabled = false;
                db.Messages.AddRange(messages);
                await db.SaveChangesAsync();
                break;
        }
    }
}
