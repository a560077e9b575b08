using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Explorer;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

/// <summary>
/// The message explorer's first page (50 rows) over 5 million stored messages, per filter, on a SQLite file and on
/// PostgreSQL (<c>IOTROUTES_BENCH_POSTGRES</c>, a connection string without a database). The stores are seeded once by
/// <see cref="ExplorerStore"/> through the intake's own bulk writers and kept for later runs.
/// </summary>
public class ExplorerFirstPage
{
    private MessageExplorer _explorer = null!;
    private MessageExplorerQuery _query = null!;

    [Params("Sqlite", "PostgreSql")]
    public string Provider { get; set; } = "Sqlite";

    [Params("none", "device", "topic devices/+/status", "topic devices/dev0017/#", "state Rejected", "one hour, 10 days back", "device + field temperature > 25")]
    public string Filter { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        var contexts = ExplorerStore.Open(Provider);
        _explorer = new MessageExplorer(new ScopedContexts(contexts, new Everything()), new MessageIntake(Options.Create(new IntakeOptions())));
        var device = ExplorerStore.DeviceId(contexts, 17);
        var end = ExplorerStore.End;
        MessageFilter filter = Filter switch
        {
            "none" => new(),
            "device" => new(DeviceId: device),
            "topic devices/+/status" => new(Topic: TopicFilter.Parse("devices/+/status").Filter),
            "topic devices/dev0017/#" => new(Topic: TopicFilter.Parse("devices/dev0017/#").Filter),
            "state Rejected" => new(State: MessageState.Rejected),
            "one hour, 10 days back" => new(From: end.AddDays(-10), To: end.AddDays(-10).AddHours(1)),
            "device + field temperature > 25" => new(DeviceId: device, Field: FieldCondition.Parse("temperature", "gt", "25").Condition),
            _ => throw new ArgumentException(Filter),
        };
        _query = new MessageExplorerQuery(filter, null, 50);
    }

    [Benchmark(Description = "first page of 50")]
    public async Task<int> FirstPage()
    {
        var (page, _) = await _explorer.PageAsync(_query, CancellationToken.None);
        return page!.Items.Count;
    }

    private sealed class Everything : ICallerProvider
    {
        private static readonly Caller Caller = new(null, EntityScope.Everything, new EffectivePermissions(
            Enum.GetValues<SecuredObject>().ToDictionary(o => o, _ => AccessLevel.Manage), new HashSet<string>()));

        public ValueTask<Caller> GetCallerAsync(CancellationToken ct) => ValueTask.FromResult(Caller);
    }
}

/// <summary>
/// 5 million messages of 1,000 devices over 30 days (one every ~0.5 s, the devices in turn): 10 % on
/// <c>devices/{key}/status</c>, the rest on <c>.../telemetry</c>; 2 % rejected, the others decoded
/// (<c>{"temperature":..,"humidity":..}</c>). Written in batches of 10,000 by the intake's writers (SQLite: one prepared
/// INSERT through the C API; PostgreSQL: binary COPY).
/// </summary>
public static class ExplorerStore
{
    public const int Count = 5_000_000;
    public const int Devices = 1_000;

    /// <summary>The newest message's time: fixed, so every run sees the same data.</summary>
    public static readonly DateTimeOffset End = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public static IDbContextFactory<AppDbContext> Open(string provider)
    {
        var factory = provider switch
        {
            "Sqlite" => new Factory(() => new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>()
                .UseSqlite($"Data Source={Environment.GetEnvironmentVariable("IOTROUTES_BENCH_SQLITE") ?? Path.Combine(Path.GetTempPath(), "iotroutes-explorer-5m.db")}").Options)),
            "PostgreSql" => new Factory(() => new PostgreSqlAppDbContext(new DbContextOptionsBuilder<PostgreSqlAppDbContext>()
                .UseNpgsql((Environment.GetEnvironmentVariable("IOTROUTES_BENCH_POSTGRES")
                            ?? throw new InvalidOperationException("Set IOTROUTES_BENCH_POSTGRES (Host=...;Port=...;Username=...).")) + ";Database=iotroutes_explorer_5m").Options)),
            _ => throw new ArgumentException(provider),
        };
        Seed(factory);
        return factory;
    }

    public static Guid DeviceId(IDbContextFactory<AppDbContext> contexts, int index)
    {
        using var db = contexts.CreateDbContext();
        return db.Devices.IgnoreQueryFilters().Where(d => d.Key == $"dev{index:D4}").Select(d => d.Id).Single();
    }

    private static void Seed(IDbContextFactory<AppDbContext> contexts)
    {
        using var db = contexts.CreateDbContext();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        db.Database.Migrate();
        if (db.Messages.IgnoreQueryFilters().Any(m => m.ReceivedAt == End))
        {
            return; // seeded by an earlier run (the newest message is written last)
        }

        var clock = Stopwatch.StartNew();
        if (db is SqliteAppDbContext)
        {
            db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        }

        var devices = Enumerable.Range(0, Devices).Select(i => new Device
        {
            Id = Guid.CreateVersion7(), Key = $"dev{i:D4}", Name = $"Device {i}", EntityId = RootEntity.Id, SecretHash = "x", CreatedAt = End.AddDays(-31),
        }).ToList();
        db.Devices.AddRange(devices);
        db.SaveChanges();

        var ids = new MessageIdGenerator();
        var step = TimeSpan.FromDays(30) / Count;
        var start = End - step * (Count - 1);
        using var store = MessageStores.Open(contexts, deferSync: false);
        var batch = new List<Message>(10_000);
        for (var i = 0; i < Count; i++)
        {
            var at = i == Count - 1 ? End : start + step * i;
            var device = devices[i % Devices];
            var rejected = i % 50 == 7;
            var temperature = 15 + (i * 7 % 150) / 10.0;
            var payload = rejected ? "{\"temperature\":" : $"{{\"temperature\":{temperature:0.0},\"humidity\":{40 + i % 30}}}";
            batch.Add(new Message
            {
                Id = ids.Next(at), DeviceId = device.Id, Topic = $"devices/{device.Key}/{(i % 10 == 3 ? "status" : "telemetry")}",
                Payload = System.Text.Encoding.UTF8.GetBytes(payload), PayloadSize = payload.Length, QualityOfService = 1, ReceivedAt = at, ProcessedAt = at,
                State = rejected ? MessageState.Rejected : MessageState.Processed,
                RejectionReason = rejected ? "Not valid JSON at character 16: the payload ends inside a value." : null,
                Data = rejected ? null : payload,
            });
            if (batch.Count == batch.Capacity || i == Count - 1)
            {
                store.Write(batch);
                batch.Clear();
            }
        }

        store.SyncToDisk();
        db.Database.ExecuteSqlRaw(db is SqliteAppDbContext ? "PRAGMA wal_checkpoint(TRUNCATE);" : "VACUUM ANALYZE \"Messages\";");
        Console.WriteLine($"// Seeded {Count:N0} messages in {clock.Elapsed.TotalSeconds:N0} s");
    }

    private sealed class Factory(Func<AppDbContext> create) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext() => create();
    }
}
