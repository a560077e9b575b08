using BenchmarkDotNet.Attributes;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

/// <summary>
/// The intake writer's database work for one batch, on a real SQLite file in WAL mode, with the writer's own connection
/// and prepared statement kept across batches, as IoTRoutes runs it. The file grows over the iterations, as a message
/// store does.
/// </summary>
[MemoryDiagnoser]
public class MessageBatchWrite
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"iotroutes-micro-{Guid.NewGuid():N}.db");
    private DbContextOptions<SqliteAppDbContext> _options = null!;
    private Guid[] _devices = [];
    private byte[] _payload = [];
    private SqliteMessageInsert _writer = null!;

    [Params(200)]
    public int BatchSize { get; set; }

    /// <summary>
    /// Off: the commit alone (synchronous NORMAL: the CPU cost, what competes with the broker for the cores). On: followed
    /// by the fsync of the log that makes it durable, which IoTRoutes does on another thread while the next batch is written.
    /// </summary>
    [Params(false, true)]
    public bool Sync { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite($"Data Source={_path}").Options;
        using var db = new SqliteAppDbContext(_options);
        db.Database.Migrate();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        var root = db.Entities.IgnoreQueryFilters().Select(e => e.Id).First();
        _devices = [.. Enumerable.Range(0, 20).Select(i => Guid.CreateVersion7())];
        db.Devices.AddRange(_devices.Select((id, i) => new Device
        {
            Id = id, Key = $"dev{i:D4}", Name = $"Device {i}", EntityId = root, SecretHash = "x", CreatedAt = DateTimeOffset.UtcNow,
        }));
        db.SaveChanges();
        _payload = System.Text.Encoding.UTF8.GetBytes(
            """{"seq":1234,"f1":12.3,"f2":45.6,"f3":78.9,"f4":1.2,"f5":3.4,"f6":5.6,"f7":7.8,"f8":9.1,"pad":"xxxxxxxxxxxx"}""");
        _writer = SqliteMessageInsert.Open(db, deferSync: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    [Benchmark(Description = "write a batch (prepared INSERT, one commit)")]
    public void WriteBatch()
    {
        var now = DateTimeOffset.UtcNow;
        var batch = new Message[BatchSize];
        for (var i = 0; i < batch.Length; i++)
        {
            batch[i] = new Message
            {
                Id = Guid.CreateVersion7(), DeviceId = _devices[i % _devices.Length], Topic = "devices/dev0001/telemetry", Payload = _payload,
                PayloadSize = _payload.Length, QualityOfService = 1, ReceivedAt = now, State = MessageState.Processed, ProcessedAt = now,
            };
        }

        _writer.Write(batch);
        if (Sync)
        {
            _writer.SyncToDisk();
        }
    }
}
