using System.Text;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Languages;
using IoTRoutes.Core.Workflows.Runner;
using IoTRoutes.Core.Workflows.State;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>Two runner nodes on one real SQLite database: the partitions are shared out by lease, and each event runs once.</summary>
public sealed class WorkflowPartitionTests : IAsyncLifetime
{
    private readonly TestActions.Collector _collector = new();
    private readonly MessageIntake _intake = new(Options.Create(new IntakeOptions()));
    private SqliteContexts _db = null!;

    public async Task InitializeAsync() => _db = await SqliteContexts.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Two_nodes_share_the_partitions_without_overlap_and_a_stopping_node_hands_its_own_over()
    {
        var a = Leases();
        var b = Leases();

        var aAlone = (await a.RefreshAsync(default)).Count;
        var bWhileAHoldsAll = (await b.RefreshAsync(default)).Count;
        var aShared = (await a.RefreshAsync(default)).ToHashSet();
        var bShared = (await b.RefreshAsync(default)).ToHashSet();

        Assert.Equal((16, 0), (aAlone, bWhileAHoldsAll));
        Assert.Equal((8, 8), (aShared.Count, bShared.Count));
        Assert.Empty(aShared.Intersect(bShared));

        await a.ReleaseAsync(default);
        Assert.Equal(WorkflowPartitions.Count, (await b.RefreshAsync(default)).Count);
        Assert.Empty(await a.RefreshAsync(default)); // back, but everything is taken: it waits for a share
    }

    [Fact]
    public async Task A_node_whose_lease_was_taken_does_not_confirm_it()
    {
        var a = Leases();
        var held = (await a.RefreshAsync(default)).ToHashSet();
        await StealAsync(held.First());

        await using var db = _db.CreateDbContext();
        Assert.False(await a.ConfirmAsync(db, held, default));
    }

    [Fact]
    public async Task Two_runners_run_every_message_once_in_order_per_device_each_in_its_own_partitions()
    {
        var (aLeases, bLeases) = (Leases(), Leases());
        var (aSeen, bSeen) = (new TestActions.Collector(), new TestActions.Collector());
        var (a, b) = (NewRunner(aLeases, aSeen), NewRunner(bLeases, bSeen));
        for (var round = 0; round < 2; round++)
        {
            await a.RunOnceAsync(default); // the first takes everything, then gives back above its share
            await b.RunOnceAsync(default);
        }

        var devices = await DevicesAsync(enough: d => d.Any(id => aLeases.Held.Contains(WorkflowPartitions.Of(id))) && d.Any(id => bLeases.Held.Contains(WorkflowPartitions.Of(id))));
        await PublishAsync("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"end","type":"Collect"}],"links":[{"from":"in","to":"end"}]}""");
        var n = 0;
        for (var round = 0; round < 3; round++)
        {
            foreach (var device in devices) await StoreAsync(device, ++n);
        }

        for (var round = 0; round < 2; round++)
        {
            await a.RunOnceAsync(default);
            await b.RunOnceAsync(default);
        }

        var (byA, byB) = (Seen(aSeen), Seen(bSeen));
        Assert.NotEmpty(byA);
        Assert.NotEmpty(byB);
        Assert.Empty(byA.Select(s => s.Device).Intersect(byB.Select(s => s.Device)));
        Assert.Equal(Enumerable.Range(1, n).Select(i => (double)i), byA.Concat(byB).Select(s => s.N).Order());
        foreach (var device in devices)
        {
            var mine = byA.Concat(byB).Where(s => s.Device == device).Select(s => s.N).ToList();
            Assert.Equal(mine.Order(), mine);
        }

        static List<(Guid Device, double N)> Seen(TestActions.Collector collector) =>
            collector.At("end").Select(i => (i.Device!.Id, (double)i.Field("n")!)).ToList();
    }

    [Fact]
    public async Task A_batch_run_while_its_lease_was_lost_writes_no_position_so_the_new_holder_runs_it_again()
    {
        var device = (await DevicesAsync(enough: d => d.Count == 1))[0];
        await PublishAsync("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"steal","type":"StealLeases"},{"id":"end","type":"Collect"}],"links":[{"from":"in","to":"steal"},{"from":"steal","to":"end"}]}""");
        await StoreAsync(device, 1);

        var runner = NewRunner(Leases(), new StealLeasesAction(this));
        await runner.RunOnceAsync(default);

        await using var db = _db.CreateDbContext();
        var position = await db.WorkflowPositions.SingleAsync(p => p.Partition == WorkflowPartitions.Of(device));
        var message = await db.Messages.SingleAsync();
        Assert.True(position.LastMessageId < message.Id, "the position did not pass the message");
        Assert.Single(_collector.At("end")); // it did run: at least once, and the next holder runs it again
    }

    private async Task StealAsync(int? partition = null)
    {
        await using var db = _db.CreateDbContext();
        var leases = partition is { } one ? db.WorkflowLeases.Where(l => l.Partition == one) : db.WorkflowLeases;
        await leases.ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, "another-node"));
    }

    /// <summary>Leases that look at the table at every round (the runner's look every 2 seconds).</summary>
    private PartitionLeases Leases() => new(_db, TimeProvider.System, lookEvery: TimeSpan.Zero);

    private WorkflowRunner NewRunner(PartitionLeases leases, params IWorkflowAction[] more) => NewRunner(leases, _collector, more);

    private WorkflowRunner NewRunner(PartitionLeases leases, TestActions.Collector collector, params IWorkflowAction[] more)
    {
        var compiler = new WorkflowCompiler(TestActions.Catalog(collector, more), new WorkflowLanguages(new NCalcExpressions(), new LiquidTemplates()), EmptyServices.Instance);
        return new WorkflowRunner(_db, _intake, new ConnectionEventIds(), leases, compiler,
            new DurableNodeState(_db, TimeProvider.System), EmptyServices.Instance, TimeProvider.System, NullLogger<WorkflowRunner>.Instance);
    }

    /// <summary>New devices until there are <paramref name="enough"/> (their partitions are random).</summary>
    private async Task<List<Guid>> DevicesAsync(Func<List<Guid>, bool> enough)
    {
        var service = new DeviceService(_db.Scoped(), TimeProvider.System, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, TimeProvider.System),
            new NoDeviceConnections(), new OrphanSweepSignal(), _db.Profiles(_db.Scoped(), TimeProvider.System));
        var devices = new List<Guid>();
        while (!enough(devices))
        {
            Assert.True(devices.Count < 200, "200 devices and still not enough: the partitions are not what the test expects");
            devices.Add((await service.CreateAsync(new CreateDeviceRequest($"Device {devices.Count}"), default)).Device!.Id);
        }

        return devices;
    }

    private async Task PublishAsync(string definition)
    {
        await using var db = _db.CreateDbContext();
        var id = Guid.CreateVersion7();
        var published = DateTimeOffset.UtcNow.AddSeconds(-1);
        db.Workflows.Add(new Workflow { Id = id, EntityId = RootEntity.Id, Name = "Collector", Draft = definition, ActiveVersion = 1, CreatedAt = published, UpdatedAt = published });
        db.WorkflowVersions.Add(new WorkflowVersion { WorkflowId = id, Version = 1, Definition = definition, PublishedAt = published });
        await db.SaveChangesAsync();
    }

    private async Task StoreAsync(Guid device, int n)
    {
        await using var db = _db.CreateDbContext();
        var payload = Encoding.UTF8.GetBytes($$"""{"n":{{n}}}""");
        var id = _intake.NewId(DateTimeOffset.UtcNow);
        db.Messages.Add(new Message
        {
            Id = id, DeviceId = device, Topic = "t", Payload = payload, PayloadSize = payload.Length,
            ReceivedAt = DateTimeOffset.UtcNow, State = MessageState.Processed, ProcessedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
        _intake.Committed.Add(db.Messages.Local.Single()); // as the intake does at a commit
        _intake.ReleaseUnsubmitted(id);
    }

    /// <summary>A node that hands every partition to another node while the run is going on.</summary>
    private sealed class StealLeasesAction(WorkflowPartitionTests test) : IoTRoutes.Core.Workflows.Actions.WorkflowAction
    {
        public override string Type => "StealLeases";

        public override string Category => "Test";

        public override string Description => "Takes the leases away.";

        public override IReadOnlyList<SettingDescriptor> Settings { get; } = [];

        public override NodeRunner? Compile(NodeCompilation node) => new Runner(test);

        private sealed class Runner(WorkflowPartitionTests test) : NodeRunner
        {
            public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
            {
                await test.StealAsync();
                return NodeResult.Out(input);
            }
        }
    }
}
