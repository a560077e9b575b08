using System.Threading.Channels;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>
/// Drains <see cref="MessageIntake"/>: whatever is waiting (up to a batch) is decoded and written in one transaction,
/// in its final state, so each message costs one write. (Decoding used to be a second pass that read every row back
/// and updated it; see docs/benchmarks.md for what that cost.)
/// </summary>
/// <remarks>
/// Writers run on threads of their own, with synchronous database calls: on a busy machine a pool work item waits
/// behind every connection's socket work, and each such wait stretched the commit cycle that every acknowledgement
/// waits for. SQLite has one writer, and a sync thread beside it that makes the committed batches durable with one
/// fsync and only then completes them, so the fsync of one batch overlaps the writing of the next
/// (<see cref="SqliteMessageInsert"/>). PostgreSQL and SQL Server have <see cref="IntakeOptions.Writers"/> writers:
/// the server commits several transactions at once and groups their flushes. Acknowledgements stay in order either
/// way: each waits for its own message, in the client's send loop.
/// </remarks>
internal sealed class IntakeWriter(
    MessageIntake intake,
    IDbContextFactory<AppDbContext> contexts,
    MessageDecoder decoder,
    MessageFeed feed,
    IOptions<IntakeOptions> options,
    TimeProvider clock,
    ILogger<IntakeWriter> logger,
    Formats.LatestFieldValues? latest = null) : BackgroundService
{
    /// <summary>A batch at least this large means the broker is busy: the next one waits <see cref="IntakeOptions.LingerMilliseconds"/> to fill.</summary>
    internal const int BusyBatch = 32;

    /// <summary>How a writer reaches the database; tests put a failing disk in its place.</summary>
    internal Func<IMessageStore>? OpenStore { get; init; }

    private IMessageStore Open() => OpenStore is { } open ? open() : MessageStores.Open(contexts, deferSync: true);

    // SQLite: batches committed and not yet synced, and the store whose log the sync thread fsyncs.
    private readonly Queue<List<PendingMessage>> _unsynced = new();
    private IMessageStore? _syncing;
    private bool _writersDone;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunWritersAsync(stoppingToken);

    /// <summary>Every writer of this database, until <paramref name="stoppingToken"/> ends them (then what is queued is written).</summary>
    internal Task RunWritersAsync(CancellationToken stoppingToken)
    {
        bool sqlite;
        using (var db = contexts.CreateDbContext())
        {
            sqlite = db is SqliteAppDbContext;
        }

        var writers = Enumerable.Range(0, sqlite ? 1 : options.Value.Writers)
            .Select(i => StartThread($"IoTRoutes intake writer {i + 1}", () => WriteLoop(stoppingToken)))
            .ToArray();
        if (!sqlite)
        {
            return Task.WhenAll(writers);
        }

        var sync = StartThread("IoTRoutes intake sync", SyncLoop);
        return FinishAsync();

        async Task FinishAsync()
        {
            try
            {
                await Task.WhenAll(writers);
            }
            finally
            {
                lock (_unsynced)
                {
                    _writersDone = true;
                    Monitor.Pulse(_unsynced);
                }

                await sync;
                _syncing?.Dispose(); // after the last fsync: closing the last connection may checkpoint and remove the log
            }
        }
    }

    private static Task StartThread(string name, Action run)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                run();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        }.Start();
        return done.Task;
    }

    private void WriteLoop(CancellationToken stoppingToken)
    {
        var store = Open();
        if (!store.DefersSync)
        {
            using (store)
            {
                WriteLoop(store, stoppingToken);
            }

            return;
        }

        Volatile.Write(ref _syncing, store); // disposed once the sync thread is done with it
        WriteLoop(store, stoppingToken);
    }

    private void WriteLoop(IMessageStore store, CancellationToken stoppingToken)
    {
        var batchSize = options.Value.BatchSize;
        var linger = options.Value.LingerMilliseconds;
        var busy = false;
        try
        {
            while (WaitToRead(intake.Reader, stoppingToken))
            {
                var batch = Take(batchSize);
                if (busy && linger > 0 && batch.Count < batchSize)
                {
                    // Group commit under load: every commit rewrites the index pages it touches (and costs an fsync), so
                    // a moment's wait for more messages makes fewer, fuller commits (docs/benchmarks.md). An idle broker
                    // never waits: a lone message is written at once.
                    Thread.Sleep(linger);
                    Fill(batch, batchSize);
                }

                busy = batch.Count >= BusyBatch;
                Commit(store, batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the brokers have stopped (they stop first), so what is queued is all there is. Write it
            // rather than drop it: QoS 0 messages have no second chance.
            intake.Complete();
            while (intake.Reader.TryPeek(out _))
            {
                Commit(store, Take(batchSize));
            }
        }
    }

    private static bool WaitToRead(ChannelReader<PendingMessage> reader, CancellationToken stoppingToken)
    {
        var waiting = reader.WaitToReadAsync(stoppingToken);
        return waiting.IsCompletedSuccessfully ? waiting.Result : waiting.AsTask().GetAwaiter().GetResult();
    }

    private List<PendingMessage> Take(int batchSize)
    {
        var batch = new List<PendingMessage>(Math.Min(batchSize, 64));
        Fill(batch, batchSize);
        return batch;
    }

    private void Fill(List<PendingMessage> batch, int batchSize)
    {
        while (batch.Count < batchSize && intake.Reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }
    }

    /// <summary>
    /// Writes the batch (one by one if the batch fails, so only a bad message fails) and completes what was written, or
    /// hands it to the sync thread. Never cancelled: a batch is committed whole or fails whole.
    /// </summary>
    private void Commit(IMessageStore store, List<PendingMessage> batch)
    {
        try
        {
            WriteAndHandOver(store, batch);
        }
        catch (Exception e)
        {
            // Nothing expected gets here (write failures are handled below), but whatever does must not leave submissions
            // waiting for ever or end the writer: those not yet completed fail (no PUBACK, the devices send them again).
            foreach (var pending in batch)
            {
                Fail(pending, e);
            }
        }
    }

    private void WriteAndHandOver(IMessageStore store, List<PendingMessage> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        Decode(batch);
        try
        {
            store.Write(batch.ConvertAll(p => p.Message));
        }
        catch (Exception e) when (batch.Count > 1)
        {
            IntakeLog.BatchRetriedOneByOne(logger, batch.Count, e);
            batch = batch.Where(pending => TryWriteOne(store, pending)).ToList();
        }
        catch (Exception e)
        {
            Fail(batch[0], e);
            return;
        }

        if (batch.Count == 0)
        {
            return;
        }

        if (!store.DefersSync)
        {
            Complete(batch);
            return;
        }

        lock (_unsynced)
        {
            _unsynced.Enqueue(batch);
            Monitor.Pulse(_unsynced);
        }
    }

    private bool TryWriteOne(IMessageStore store, PendingMessage pending)
    {
        try
        {
            store.Write([pending.Message]);
            return true;
        }
        catch (Exception e)
        {
            Fail(pending, e);
            return false;
        }
    }

    /// <summary>SQLite's sync thread: one fsync for every batch committed since the last, then their submissions complete.</summary>
    private void SyncLoop()
    {
        var ready = new List<List<PendingMessage>>();
        Exception? failedSync = null;
        while (true)
        {
            lock (_unsynced)
            {
                while (_unsynced.Count == 0 && !_writersDone)
                {
                    Monitor.Wait(_unsynced);
                }

                if (_unsynced.Count == 0)
                {
                    return; // the writers are done and everything they wrote is synced
                }

                ready.AddRange(_unsynced);
                _unsynced.Clear();
            }

            try
            {
                if (failedSync is not null)
                {
                    throw failedSync;
                }

                Volatile.Read(ref _syncing)!.SyncToDisk();
                foreach (var batch in ready)
                {
                    Complete(batch);
                }
            }
            catch (Exception e)
            {
                if (failedSync is null)
                {
                    // After a failed fsync the kernel may drop the pages it could not write and report the next fsync as
                    // a success: from now on nothing is acknowledged, until a restart recovers the log from the disk.
                    failedSync = e;
                    IntakeLog.SyncFailed(logger, e);
                }

                // Committed but not known to be on disk: not acknowledged, so the devices send them again.
                foreach (var pending in ready.SelectMany(batch => batch))
                {
                    Fail(pending, e);
                }
            }

            ready.Clear();
        }
    }

    private void Decode(List<PendingMessage> batch)
    {
        var now = clock.GetUtcNow();
        // Messages decode independently of each other, and a script format's decoding is most of the writer's time:
        // a large batch is decoded on every core while the writer waits, rather than on the writer's thread alone.
        if (batch.Count >= ParallelDecodingFrom && Environment.ProcessorCount > 1)
        {
            Parallel.ForEach(batch, DecodingOptions, pending => DecideOne(pending.Message, now));
            return;
        }

        foreach (var pending in batch)
        {
            DecideOne(pending.Message, now);
        }
    }

    private const int ParallelDecodingFrom = 16;

    private static readonly ParallelOptions DecodingOptions = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    private void DecideOne(Message message, DateTimeOffset now)
    {
        if (message.State == Lifecycle.MessageState.Received) // else already decided at the broker (an oversize payload)
        {
            decoder.Decide(message, now, logger);
        }
    }

    private void Fail(PendingMessage pending, Exception error)
    {
        if (intake.Failed(pending, error))
        {
            var message = pending.Message;
            IntakeLog.WriteFailed(logger, message.Id, message.DeviceId, message.Topic, message.QualityOfService, error);
        }
    }

    private void Complete(List<PendingMessage> batch)
    {
        foreach (var pending in batch)
        {
            intake.Stored(pending);
        }

        feed.Publish(new MessagesChanged(batch.Select(p => p.Message.DeviceId).ToHashSet()));
        latest?.Committed(batch.Select(p => p.Message));
    }
}
