using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.State;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>Node state in a real SQLite database behind its cache.</summary>
public sealed class DurableNodeStateTests : IAsyncLifetime
{
    private static readonly Guid Workflow = Guid.NewGuid();
    private static readonly Guid Device = Guid.NewGuid();
    private SqliteContexts _db = null!;

    public async Task InitializeAsync() => _db = await SqliteContexts.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_value_reaches_the_database_at_the_flush_and_a_new_process_reads_it_back()
    {
        var first = new DurableNodeState(_db, TimeProvider.System);
        await first.SetAsync(Workflow, "t", Device, "crossed", true, default);
        await first.SetAsync(Workflow, "a", null, "stats", new JsonObject { ["mean"] = 20.5 }, default);

        var beforeFlush = await new DurableNodeState(_db, TimeProvider.System).GetAsync(Workflow, "t", Device, "crossed", default);
        var written = await first.FlushAsync(default);
        var again = new DurableNodeState(_db, TimeProvider.System);

        Assert.Null(beforeFlush);
        Assert.Equal(2, written);
        Assert.True((await again.GetAsync(Workflow, "t", Device, "crossed", default))!.GetValue<bool>());
        Assert.Equal(20.5, (await again.GetAsync(Workflow, "a", null, "stats", default))!["mean"]!.GetValue<double>());
        Assert.Equal(0, await first.FlushAsync(default));
    }

    [Fact]
    public async Task A_value_changed_by_its_reader_is_not_changed_in_the_store_and_a_later_set_overwrites_the_row()
    {
        var store = new DurableNodeState(_db, TimeProvider.System);
        await store.SetAsync(Workflow, "a", Device, "stats", new JsonObject { ["n"] = 1 }, default);
        await store.FlushAsync(default);

        var read = (JsonObject)(await store.GetAsync(Workflow, "a", Device, "stats", default))!;
        read["n"] = 99;
        var unchanged = await store.GetAsync(Workflow, "a", Device, "stats", default);
        await store.SetAsync(Workflow, "a", Device, "stats", new JsonObject { ["n"] = 2 }, default);
        await store.FlushAsync(default);

        Assert.Equal(1, unchanged!["n"]!.GetValue<int>());
        Assert.Equal(2, (await new DurableNodeState(_db, TimeProvider.System).GetAsync(Workflow, "a", Device, "stats", default))!["n"]!.GetValue<double>());
        await using var db = _db.CreateDbContext();
        Assert.Single(db.WorkflowNodeStates.Where(s => s.NodeId == "a"));
    }
}
