using System.Text;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Messaging;

public sealed class PipelineTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly IOptions<IntakeOptions> _options = Options.Create(new IntakeOptions { BatchSize = 50, QueueCapacity = 1000 });
    private readonly MessageFeed _feed = new();
    private SqliteContexts _db = null!;
    private Guid _deviceId;

    public async Task InitializeAsync()
    {
        _db = await SqliteContexts.CreateAsync();
        _deviceId = (await NewDeviceService(new OrphanSweepSignal()).CreateAsync(new CreateDeviceRequest("Pipe"), default)).Device!.Id;
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // as IoTRoutes runs it: commits without waiting for the disk, then one fsync of the log for them
    public async Task Every_submission_completes_only_once_its_message_is_in_the_database(bool writeAheadLog)
    {
        await UseJournalModeAsync(writeAheadLog);

        var intake = new MessageIntake(_options);
        var writer = new IntakeWriter(intake, _db, MessageDecoder.JsonOnly, _feed, _options, _clock, NullLogger<IntakeWriter>.Instance);
        await writer.StartAsync(default);

        var submissions = await Task.WhenAll(Enumerable.Range(0, 120).Select(i => intake.SubmitAsync(NewMessage($$"""{"i":{{i}}}"""), default)));
        await Task.WhenAll(submissions).WaitAsync(TimeSpan.FromSeconds(10));
        await writer.StopAsync(default);

        await using var db = _db.CreateDbContext();
        Assert.Equal(120, await db.Messages.CountAsync(m => m.State == MessageState.Processed)); // decoded on the way in
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the sync thread fsyncs and completes the last batches before the writers return
    public async Task Messages_still_queued_at_shutdown_are_written_not_dropped(bool writeAheadLog)
    {
        await UseJournalModeAsync(writeAheadLog);

        var intake = new MessageIntake(_options);
        var queued = new List<Task>();
        for (var i = 0; i < 75; i++)
        {
            queued.Add(await intake.SubmitAsync(NewMessage("{}"), default)); // nobody writes yet
        }

        var writer = new IntakeWriter(intake, _db, MessageDecoder.JsonOnly, _feed, _options, _clock, NullLogger<IntakeWriter>.Instance);
        await writer.RunWritersAsync(new CancellationToken(canceled: true)); // the host is already shutting down
        await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(10));

        await using var db = _db.CreateDbContext();
        Assert.Equal(75, await db.Messages.CountAsync());
    }

    [Fact]
    public async Task One_bad_message_fails_alone_and_the_rest_of_its_batch_is_stored()
    {
        var intake = new MessageIntake(_options);
        var good = new List<Task>();
        for (var i = 0; i < 9; i++)
        {
            good.Add(await intake.SubmitAsync(NewMessage("{}"), default));
        }

        var bad = await intake.SubmitAsync(await DuplicateOfAStoredMessageAsync(), default);
        var writer = new IntakeWriter(intake, _db, MessageDecoder.JsonOnly, _feed, _options, _clock, NullLogger<IntakeWriter>.Instance);

        await writer.RunWritersAsync(new CancellationToken(canceled: true)); // one drain: all ten in one batch

        await Task.WhenAll(good).WaitAsync(TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<SqliteException>(() => bad.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("UNIQUE", error.Message);
        await using var db = _db.CreateDbContext();
        Assert.Equal(1 + 9, await db.Messages.CountAsync());
    }

    [Fact]
    public async Task A_failed_write_faults_the_submissions_so_the_broker_does_not_acknowledge()
    {
        var intake = new MessageIntake(_options);
        var writer = new IntakeWriter(intake, _db, MessageDecoder.JsonOnly, _feed, _options, _clock, NullLogger<IntakeWriter>.Instance);
        await writer.StartAsync(default);
        var duplicate = await DuplicateOfAStoredMessageAsync();

        var stored = await intake.SubmitAsync(duplicate, default);

        await Assert.ThrowsAsync<SqliteException>(() => stored.WaitAsync(TimeSpan.FromSeconds(10)));
        await writer.StopAsync(default);
    }

    [Fact]
    public async Task Messages_left_in_received_are_decoded_when_the_worker_starts()
    {
        await using (var db = _db.CreateDbContext())
        {
            db.Messages.AddRange(NewMessage("""{"ok":1}"""), NewMessage("{broken"));
            await db.SaveChangesAsync();
        }

        var changed = new TaskCompletionSource<MessagesChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = _feed.Subscribe(c => { changed.TrySetResult(c); return Task.CompletedTask; });
        var worker = new AcquisitionWorker(_db, new AcquisitionSignal(), MessageDecoder.JsonOnly, _feed, _clock, _options, NullLogger<AcquisitionWorker>.Instance);
        await worker.StartAsync(default);
        var change = await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await worker.StopAsync(default);

        Assert.Contains(_deviceId, change.DeviceIds);
        await using var check = _db.CreateDbContext();
        var states = await check.Messages.OrderBy(m => m.Topic).Select(m => new { m.State, m.RejectionReason, m.ProcessedAt }).ToListAsync();
        Assert.Equal([MessageState.Processed, MessageState.Rejected], states.Select(s => s.State));
        Assert.StartsWith("Not valid JSON at character 2:", states[1].RejectionReason);
        Assert.All(states, s => Assert.Equal(_clock.GetUtcNow(), s.ProcessedAt));
        Assert.Equal(new MessageStatsDto(2, 1, 1), await new MessageQueryService(_db.Scoped()).StatsAsync(default)); // counted as decided
    }

    [Fact]
    public async Task A_batch_larger_than_the_batch_size_is_decoded_in_several_rounds()
    {
        await using (var db = _db.CreateDbContext())
        {
            db.Messages.AddRange(Enumerable.Range(0, 120).Select(i => NewMessage($"{i}")));
            await db.SaveChangesAsync();
        }

        var worker = new AcquisitionWorker(_db, new AcquisitionSignal(), MessageDecoder.JsonOnly, _feed, _clock, _options, NullLogger<AcquisitionWorker>.Instance);
        Assert.Equal(50, await worker.ProcessBatchAsync(default));
        Assert.Equal(50, await worker.ProcessBatchAsync(default));
        Assert.Equal(20, await worker.ProcessBatchAsync(default));
        Assert.Equal(0, await worker.ProcessBatchAsync(default));
    }

    [Fact]
    public async Task The_writer_counts_its_batches_once_and_the_counts_match_the_messages()
    {
        var other = (await NewDeviceService(new OrphanSweepSignal()).CreateAsync(new CreateDeviceRequest("Other"), default)).Device!.Id;
        await StoreAsync([NewMessage("""{"before":1}""")]); // through EF: counted by the trigger
        var intake = new MessageIntake(_options);
        var submitted = new List<Task>();
        for (var i = 0; i < 120; i++)
        {
            // valid and malformed JSON from two devices, over several batches (BatchSize 50)
            submitted.Add(await intake.SubmitAsync(NewMessage(i % 7 == 0 ? "{broken" : $$"""{"i":{{i}}}""", i % 3 == 0 ? other : null), default));
        }

        await new IntakeWriter(intake, _db, MessageDecoder.JsonOnly, _feed, _options, _clock, NullLogger<IntakeWriter>.Instance)
            .RunWritersAsync(new CancellationToken(canceled: true));
        await Task.WhenAll(submitted).WaitAsync(TimeSpan.FromSeconds(10));

        await using var db = _db.CreateDbContext();
        var actual = await db.Messages.GroupBy(m => new { m.DeviceId, m.State }).Select(g => new { g.Key.DeviceId, g.Key.State, Count = (long)g.Count() })
            .ToListAsync();
        var counted = await db.MessageCounts.Select(c => new { c.DeviceId, c.State, c.Count }).ToListAsync();
        Assert.Equal(actual.OrderBy(x => x.DeviceId).ThenBy(x => x.State), counted.OrderBy(x => x.DeviceId).ThenBy(x => x.State));
        Assert.Equal(new MessageStatsDto(121, 102, 18), await new MessageQueryService(_db.Scoped()).StatsAsync(default)); // 18 malformed, one left Received
    }

    [Fact]
    public async Task The_prepared_sqlite_insert_writes_exactly_the_row_EF_writes()
    {
        var viaEf = NewMessage("{}");
        viaEf.State = MessageState.Rejected;
        viaEf.RejectionReason = "Malformed JSON: it's \"quoted\"";
        viaEf.ProcessedAt = _clock.GetUtcNow().AddMilliseconds(1234.5678);
        viaEf.ReceivedAt = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.FromHours(2)).AddTicks(7);
        var viaInsert = NewMessage("{}");
        viaInsert.Topic = viaEf.Topic;
        (viaInsert.State, viaInsert.RejectionReason, viaInsert.ProcessedAt, viaInsert.ReceivedAt) = (viaEf.State, viaEf.RejectionReason, viaEf.ProcessedAt, viaEf.ReceivedAt);
        var decodedEf = NewMessage("{}");
        (decodedEf.State, decodedEf.ProcessedAt, decodedEf.Data, decodedEf.NormalizedData) = (MessageState.Processed, viaEf.ProcessedAt, """{"t":21.5,"s":"é \"q\""}""", """{"air":{"temperature":21.5}}""");
        (decodedEf.DeviceTime, decodedEf.FormatId, decodedEf.FormatVersion, decodedEf.Warnings) = (viaEf.ReceivedAt.AddSeconds(-3), Guid.CreateVersion7(), 7, "one\ntwo");
        var decodedInsert = NewMessage("{}");
        decodedInsert.Topic = decodedEf.Topic;
        (decodedInsert.State, decodedInsert.ProcessedAt, decodedInsert.ReceivedAt, decodedInsert.Data, decodedInsert.NormalizedData) = (decodedEf.State, decodedEf.ProcessedAt, decodedEf.ReceivedAt, decodedEf.Data, decodedEf.NormalizedData);
        (decodedInsert.DeviceTime, decodedInsert.FormatId, decodedInsert.FormatVersion, decodedInsert.Warnings) = (decodedEf.DeviceTime, decodedEf.FormatId, decodedEf.FormatVersion, decodedEf.Warnings);
        var plain = NewMessage("{\"t\":21.5}");
        plain.State = MessageState.Processed; // no reason, no processing time: NULLs
        Message Refused()
        {
            var refused = NewMessage(""); // refused for its size: stored without its payload
            (refused.Topic, refused.Payload, refused.PayloadSize, refused.State) = ("devices/pipe/big", [], 300_000, MessageState.Rejected);
            (refused.RejectionReason, refused.ProcessedAt) = ("Payload of 300000 bytes exceeds the limit", refused.ReceivedAt);
            return refused;
        }

        var (efRefused, insertRefused) = (Refused(), Refused());
        await using (var db = _db.CreateDbContext())
        {
            db.Messages.AddRange(viaEf, efRefused, decodedEf);
            await db.SaveChangesAsync();
        }

        await using (var db = _db.CreateDbContext())
        {
            using var writer = SqliteMessageInsert.Open(db, deferSync: false);
            writer.Write([viaInsert, plain, insertRefused, decodedInsert]);
        }

        await using var check = _db.CreateDbContext();
        var rows = await check.Database.SqlQueryRaw<string>(
            "SELECT typeof(Id) || length(Id) || (Id = upper(Id)) || '|' || quote(DeviceId) || '|' || quote(Topic) || '|' || quote(Payload) || '|' || PayloadSize || '|' || " +
            "QualityOfService || '|' || quote(ReceivedAt) || '|' || quote(State) || '|' || quote(RejectionReason) || '|' || quote(ProcessedAt) || '|' || " +
            "quote(Data) || '|' || quote(DeviceTime) || '|' || quote(FormatId) || '|' || quote(FormatVersion) || '|' || quote(Warnings) || '|' || quote(NormalizedData) || '#' || Id AS Value " +
            "FROM Messages").ToListAsync();
        Assert.Equal(7, rows.Count);
        var byId = rows.Select(r => r.Split('#')).ToDictionary(r => Guid.Parse(r[1]), r => r[0]); // EF orders its inserts its own way
        Assert.Equal(byId[viaEf.Id], byId[viaInsert.Id]); // byte for byte the row EF wrote (apart from the id's value)
        Assert.Equal(byId[efRefused.Id], byId[insertRefused.Id]);
        Assert.Equal(byId[decodedEf.Id], byId[decodedInsert.Id]); // the decoded columns too
        Assert.Contains("{\"air\":{\"temperature\":21.5}}", byId[decodedInsert.Id]);
        Assert.Contains("|X''|", byId[insertRefused.Id]); // an empty payload, not NULL
        Assert.EndsWith("|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL", byId[plain.Id]);

        // EF finds it by its key and reads it back as it reads its own row (its time converter drops part of the ticks).
        var read = await check.Messages.SingleAsync(m => m.Id == viaInsert.Id);
        var own = await check.Messages.SingleAsync(m => m.Id == viaEf.Id);
        Assert.Equal((own.ReceivedAt, own.ProcessedAt, own.State, own.RejectionReason), (read.ReceivedAt, read.ProcessedAt, read.State, read.RejectionReason));
        Assert.Equal(own.Payload, read.Payload);
        Assert.Equal(2, await check.Messages.CountAsync(m => m.DeviceId == _deviceId && m.ReceivedAt == viaEf.ReceivedAt));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_sqlite_writer_defers_the_fsync_only_on_a_write_ahead_log(bool writeAheadLog)
    {
        await UseJournalModeAsync(writeAheadLog);

        await using var db = _db.CreateDbContext();
        using var writer = SqliteMessageInsert.Open(db, deferSync: true);
        writer.Write([NewMessage("{}")]);
        writer.SyncToDisk();

        Assert.Equal(writeAheadLog, writer.DefersSync);
        await using var check = _db.CreateDbContext();
        Assert.Equal(1, await check.Messages.CountAsync()); // committed, and visible to other connections
    }

    [Fact]
    public async Task After_a_failed_fsync_nothing_is_acknowledged_even_when_later_fsyncs_succeed()
    {
        await using var db = _db.CreateDbContext();
        var disk = new FailingDisk(SqliteMessageInsert.Open(db, deferSync: true));
        var intake = new MessageIntake(_options);
        var writer = new IntakeWriter(intake, _db, MessageDecoder.JsonOnly, _feed, _options, _clock, NullLogger<IntakeWriter>.Instance)
        {
            OpenStore = () => disk,
        };
        using var stop = new CancellationTokenSource();
        var running = writer.RunWritersAsync(stop.Token);

        var first = await intake.SubmitAsync(NewMessage("{}"), default);
        await Assert.ThrowsAsync<IOException>(() => first.WaitAsync(TimeSpan.FromSeconds(10)));
        var later = await intake.SubmitAsync(NewMessage("{}"), default);
        await Assert.ThrowsAsync<IOException>(() => later.WaitAsync(TimeSpan.FromSeconds(10)));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, disk.Syncs); // the second batch was not even tried: a later success would prove nothing
        Assert.Equal(0, intake.Unstored);
    }

    /// <summary>A real SQLite writer on a disk whose first fsync fails (as a full or failing disk does).</summary>
    private sealed class FailingDisk(SqliteMessageInsert inner) : IMessageStore
    {
        public int Syncs { get; private set; }

        public bool DefersSync => true;

        public void Write(IReadOnlyList<Message> messages) => inner.Write(messages);

        public void SyncToDisk()
        {
            if (++Syncs == 1)
            {
                throw new IOException("Input/output error");
            }

            inner.SyncToDisk();
        }

        public void Dispose() => inner.Dispose();
    }

    /// <summary>EF creates SQLite databases in WAL mode; without it, a rollback journal.</summary>
    private async Task UseJournalModeAsync(bool writeAheadLog)
    {
        await using var setup = _db.CreateDbContext();
        await setup.Database.ExecuteSqlRawAsync(writeAheadLog ? "PRAGMA journal_mode=WAL;" : "PRAGMA journal_mode=DELETE;");
    }

    private int _sequence;

    [Fact]
    public async Task A_deleted_devices_messages_leave_every_count_and_list_at_once_and_the_sweep_deletes_them_in_chunks_late_ones_too()
    {
        var signal = new OrphanSweepSignal();
        var devices = NewDeviceService(signal);
        var keeper = (await devices.CreateAsync(new CreateDeviceRequest("Keeper"), default)).Device!.Id;
        await StoreAsync(Enumerable.Range(0, 5).Select(_ => NewMessage("{}")).Append(NewMessage("{}", keeper)));

        Assert.True(await devices.DeleteAsync(_deviceId, default));
        var messages = new MessageQueryService(_db.Scoped());
        Assert.Equal(new MessageStatsDto(1, 0, 0), await messages.StatsAsync(default)); // the Keeper's, left Received here
        Assert.Equal([keeper], (await messages.ListAsync(new MessageQuery(), default)).Select(m => m.DeviceId));

        var sweeper = NewSweeper(signal, chunkSize: 2);
        Assert.Equal(5, await sweeper.SweepAsync(default)); // three chunks: 2, 2, 1
        await StoreAsync([NewMessage("{}")]); // one that was still on its way when the device went
        Assert.Equal(1, await sweeper.SweepAsync(default));
        Assert.Equal(0, await sweeper.SweepAsync(default));

        await using var db = _db.CreateDbContext();
        Assert.Equal([keeper], await db.Messages.IgnoreQueryFilters().Select(m => m.DeviceId).ToListAsync());
        Assert.Equal([keeper], await db.MessageCounts.IgnoreQueryFilters().Select(c => c.DeviceId).ToListAsync());
    }

    [Fact]
    public async Task Deleting_a_device_raises_the_sweep_and_the_running_sweeper_answers_it()
    {
        var signal = new OrphanSweepSignal();
        await StoreAsync([NewMessage("{}"), NewMessage("{}")]);
        var sweeper = NewSweeper(signal, chunkSize: 5_000);
        await sweeper.StartAsync(default);
        try
        {
            // After the sweep at start (nothing to delete then), the next unrequested one is a minute away.
            await Eventually.GetAsync(() => Task.FromResult(sweeper.CompletedSweeps >= 1 ? "swept" : null), "the sweep at start");
            Assert.True(await NewDeviceService(signal).DeleteAsync(_deviceId, default));

            await Eventually.GetAsync(async () =>
            {
                await using var db = _db.CreateDbContext();
                return await db.Messages.IgnoreQueryFilters().AnyAsync() ? null : "swept";
            }, "the deleted device's messages deleted");
        }
        finally
        {
            await sweeper.StopAsync(default);
        }
    }

    private async Task StoreAsync(IEnumerable<Message> messages)
    {
        await using var db = _db.CreateDbContext();
        db.Messages.AddRange(messages);
        await db.SaveChangesAsync();
    }

    private OrphanMessageSweeper NewSweeper(OrphanSweepSignal signal, int chunkSize) =>
        new(_db, signal, NullLogger<OrphanMessageSweeper>.Instance) { ChunkSize = chunkSize };

    private DeviceService NewDeviceService(OrphanSweepSignal signal) =>
        new(_db.Scoped(), _clock, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, _clock), new NoDeviceConnections(), signal, _db.Profiles(_db.Scoped(), _clock));

    /// <summary>A message the database refuses: its id is that of a message already stored.</summary>
    private async Task<Message> DuplicateOfAStoredMessageAsync()
    {
        var stored = NewMessage("{}");
        await using (var db = _db.CreateDbContext())
        {
            db.Messages.Add(stored);
            await db.SaveChangesAsync();
        }

        var duplicate = NewMessage("{}");
        duplicate.Id = stored.Id;
        return duplicate;
    }

    private Message NewMessage(string payload, Guid? deviceId = null) => new()
    {
        Id = Guid.CreateVersion7(),
        DeviceId = deviceId ?? _deviceId,
        Topic = $"devices/pipe/{Interlocked.Increment(ref _sequence):D4}",
        Payload = Encoding.UTF8.GetBytes(payload),
        PayloadSize = Encoding.UTF8.GetByteCount(payload),
        QualityOfService = 1,
        ReceivedAt = _clock.GetUtcNow(),
        State = MessageState.Received,
    };
}
