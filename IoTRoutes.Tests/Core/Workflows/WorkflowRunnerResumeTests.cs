using System.Text;
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
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>The runner on a real SQLite database: a new runner (a restart) resumes where the last one stopped.</summary>
public sealed class WorkflowRunnerResumeTests : IAsyncLifetime
{
    private readonly TestActions.Collector _collector = new();
    private readonly MessageIntake _intake = new(Options.Create(new IntakeOptions()));
    private readonly TimeProvider _clock = TimeProvider.System;
    private SqliteContexts _db = null!;
    private Guid _deviceId;

    public async Task InitializeAsync()
    {
        _db = await SqliteContexts.CreateAsync();
        _deviceId = (await new DeviceService(_db.Scoped(), TimeProvider.System, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, TimeProvider.System),
            new NoDeviceConnections(), new OrphanSweepSignal(), _db.Profiles(_db.Scoped(), TimeProvider.System)).CreateAsync(new CreateDeviceRequest("Resume"), default)).Device!.Id;
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_new_runner_resumes_at_the_position_so_no_message_is_skipped_or_run_twice_and_a_rejected_one_is_not_run()
    {
        await PublishAsync("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"end","type":"Collect"}],"links":[{"from":"in","to":"end"}]}
            """);
        await StoreAsync(1, 2, 3);
        await StoreAsync(MessageState.Rejected, 99);

        var first = NewRunner();
        var ranFirst = await first.RunOnceAsync(default);
        await first.StopAsync(default); // a clean stop gives its partitions back
        await StoreAsync(4, 5);
        var afterRestart = await NewRunner().RunOnceAsync(default);

        // The first batch holds the rejected message too: read, not run.
        Assert.Equal((4, 2), (ranFirst, afterRestart));
        Assert.Equal([1.0, 2.0, 3.0, 4.0, 5.0], _collector.At("end").Select(i => i.Field("n")));
    }

    [Fact]
    public async Task After_a_crash_the_next_runner_waits_for_the_dead_ones_leases_to_expire_then_runs_what_it_left()
    {
        await PublishAsync("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"end","type":"Collect"}],"links":[{"from":"in","to":"end"}]}
            """);
        await StoreAsync(1);
        Assert.Equal(1, await NewRunner().RunOnceAsync(default)); // and then it dies without a word
        await StoreAsync(2, 3);

        var next = NewRunner();
        var whileLeased = await next.RunOnceAsync(default);
        await ExpireLeasesAsync(); // as if 30 seconds had passed
        var afterExpiry = await next.RunOnceAsync(default);
        var idle = await next.RunOnceAsync(default);

        Assert.Equal((0, 2, 0), (whileLeased, afterExpiry, idle));
        Assert.Equal([1.0, 2.0, 3.0], _collector.At("end").Select(i => i.Field("n")));
    }

    private WorkflowRunner NewRunner()
    {
        var compiler = new WorkflowCompiler(TestActions.Catalog(_collector), new WorkflowLanguages(new NCalcExpressions(), new LiquidTemplates()), EmptyServices.Instance);
        return new WorkflowRunner(_db, _intake, new ConnectionEventIds(), new PartitionLeases(_db, _clock), compiler,
            new DurableNodeState(_db, _clock), EmptyServices.Instance, _clock, NullLogger<WorkflowRunner>.Instance);
    }

    [Fact]
    public async Task A_runner_alone_takes_what_the_intake_just_committed_from_memory_once_past_what_it_kept_before()
    {
        await PublishAsync("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"end","type":"Collect"}],"links":[{"from":"in","to":"end"}]}
            """);
        var runner = NewRunner();
        await runner.RunOnceAsync(default); // alone with every partition: it asks the intake to keep what commits
        await StoreAsync(1);
        Assert.Equal(1, await runner.RunOnceAsync(default)); // its position was below what memory keeps: the database

        // Committed in memory only: found there, so the database was not read for it.
        var payload = Encoding.UTF8.GetBytes("""{"n":2}""");
        var id = _intake.NewId(DateTimeOffset.UtcNow);
        _intake.Committed.Add(new Message { Id = id, DeviceId = _deviceId, Topic = "t", Payload = payload, PayloadSize = payload.Length, ReceivedAt = DateTimeOffset.UtcNow, State = MessageState.Processed });
        _intake.ReleaseUnsubmitted(id);
        Assert.Equal(1, await runner.RunOnceAsync(default));
        Assert.Equal([1.0, 2.0], _collector.At("end").Select(i => i.Field("n")));
    }

    [Fact]
    public async Task Once_another_node_is_alive_the_runner_reads_the_database_again_not_this_processs_memory()
    {
        await PublishAsync("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"end","type":"Collect"}],"links":[{"from":"in","to":"end"}]}
            """);
        var runner = NewRunner();
        await runner.RunOnceAsync(default);
        await StoreAsync(1);
        await runner.RunOnceAsync(default); // past the memory's floor: memory from now on
        await using (var db = _db.CreateDbContext())
        {
            db.WorkflowRunnerNodes.Add(new WorkflowRunnerNode { Owner = "another-node", SeenAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        await runner.RunOnceAsync(default); // it sees the other node at the end of the round
        var payload = Encoding.UTF8.GetBytes("""{"n":99}""");
        var id = _intake.NewId(DateTimeOffset.UtcNow);
        _intake.Committed.Add(new Message { Id = id, DeviceId = _deviceId, Topic = "t", Payload = payload, PayloadSize = payload.Length, ReceivedAt = DateTimeOffset.UtcNow, State = MessageState.Processed });
        _intake.ReleaseUnsubmitted(id); // in memory only: the database does not have it
        await StoreAsync(2);
        await runner.RunOnceAsync(default);

        Assert.Equal([1.0, 2.0], _collector.At("end").Select(i => i.Field("n")));
    }

    private async Task ExpireLeasesAsync()
    {
        await using var db = _db.CreateDbContext();
        var past = DateTimeOffset.UtcNow.AddSeconds(-1);
        await db.WorkflowLeases.ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, past));
        await db.WorkflowRunnerNodes.ExecuteUpdateAsync(s => s.SetProperty(n => n.SeenAt, past - PartitionLeases.Duration));
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

    private Task StoreAsync(params int[] numbers) => StoreAsync(MessageState.Processed, numbers);

    private async Task StoreAsync(MessageState state, params int[] numbers)
    {
        await using var db = _db.CreateDbContext();
        foreach (var n in numbers)
        {
            var payload = Encoding.UTF8.GetBytes($$"""{"n":{{n}}}""");
            db.Messages.Add(new Message
            {
                Id = _intake.NewId(DateTimeOffset.UtcNow), DeviceId = _deviceId, Topic = "t", Payload = payload, PayloadSize = payload.Length,
                ReceivedAt = DateTimeOffset.UtcNow, State = state, ProcessedAt = DateTimeOffset.UtcNow,
            });
        }

        await db.SaveChangesAsync();
        foreach (var added in db.ChangeTracker.Entries<Message>())
        {
            _intake.Committed.Add(added.Entity); // as the intake does at a commit
            _intake.ReleaseUnsubmitted(added.Entity.Id);
        }
    }
}
