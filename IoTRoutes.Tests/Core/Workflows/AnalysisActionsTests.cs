using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Languages;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>Threshold and Anomaly: their ports, per-device state that outlives a run and a restart, and dry runs that write none.</summary>
public sealed class AnalysisActionsTests
{
    private static readonly Guid WorkflowId = Guid.NewGuid();
    private readonly TestActions.Collector _collector = new();
    private readonly MemoryNodeState _state = new();

    [Fact]
    public async Task A_threshold_tells_each_crossing_once_and_the_recovery_past_the_hysteresis_per_device()
    {
        var workflow = Compile(Graph("""{"id":"t","type":"Threshold","settings":{"field":"temp","threshold":30,"hysteresis":1}}""", "crossed", "recovered", "unchanged"));

        var ports = new List<string>();
        foreach (var temp in new[] { 25, 31, 32, 29.5, 28.9, 31 }) ports.Add(await Port(workflow, temp, DeviceA));
        var other = await Port(workflow, 40, DeviceB);

        Assert.Equal(["unchanged", "crossed", "unchanged", "unchanged", "recovered", "crossed"], ports);
        Assert.Equal("crossed", other);
    }

    [Fact]
    public async Task A_threshold_below_works_the_other_way_and_its_state_survives_a_new_compilation()
    {
        var graph = Graph("""{"id":"t","type":"Threshold","settings":{"field":"battery","threshold":3.3,"direction":"Below","hysteresis":0.1}}""", "crossed", "recovered", "unchanged");

        var first = await Port(Compile(graph), 3.2, DeviceA, "battery");
        var afterRestart = await Port(Compile(graph), 3.1, DeviceA, "battery");
        var back = await Port(Compile(graph), 3.5, DeviceA, "battery");

        Assert.Equal(("crossed", "unchanged", "recovered"), (first, afterRestart, back));
    }

    [Fact]
    public async Task A_new_version_that_changes_the_threshold_starts_from_no_crossing_rather_than_the_old_side()
    {
        var before = Compile(Graph("""{"id":"t","type":"Threshold","settings":{"field":"temp","threshold":30}}""", "crossed", "recovered", "unchanged"));
        var after = Compile(Graph("""{"id":"t","type":"Threshold","settings":{"field":"temp","threshold":40}}""", "crossed", "recovered", "unchanged"));

        var first = await Port(before, 45, DeviceA);
        var sameSettings = await Port(before, 46, DeviceA);
        var changed = await Port(after, 45, DeviceA);

        Assert.Equal(("crossed", "unchanged", "crossed"), (first, sameSettings, changed));
    }

    [Theory]
    [InlineData("Ewma")]
    [InlineData("Rolling")]
    public async Task An_anomaly_is_flagged_after_the_warm_up_and_the_item_carries_its_expected_value_and_score(string method)
    {
        var workflow = Compile(Graph($$$"""{"id":"t","type":"Anomaly","settings":{"field":"temp","method":"{{{method}}}","warmup":10,"sigmas":3,"window":20}}""", "anomaly", "normal"));

        var ports = new List<string>();
        for (var i = 0; i < 20; i++) ports.Add(await Port(workflow, 20 + (i % 2 == 0 ? 0.3 : -0.3), DeviceA));
        var spike = await Port(workflow, 35, DeviceA);
        var calm = await Port(workflow, 20.1, DeviceA);
        var otherDevice = await Port(workflow, 35, DeviceB);

        Assert.All(ports, p => Assert.Equal("normal", p));
        Assert.Equal(("anomaly", "normal", "normal"), (spike, calm, otherDevice));
        var flagged = _collector.At("anomaly").Single();
        Assert.InRange((double)flagged.Field("temp_expected")!, 19.5, 20.5);
        Assert.True((double)flagged.Field("temp_score")! > 3);
    }

    [Fact]
    public async Task A_dry_run_reads_the_node_state_and_writes_none_of_it()
    {
        var workflow = Compile(Graph("""{"id":"t","type":"Threshold","settings":{"field":"temp","threshold":30}}""", "crossed", "recovered", "unchanged"));

        var dry = await Port(workflow, 35, DeviceA, dryRun: true);
        var real = await Port(workflow, 35, DeviceA);

        Assert.Equal(("crossed", "crossed"), (dry, real));
    }

    private static readonly DeviceContext DeviceA = new(Guid.NewGuid(), "A", "a", Guid.Empty, null, null, new Dictionary<string, object?>());
    private static readonly DeviceContext DeviceB = new(Guid.NewGuid(), "B", "b", Guid.Empty, null, null, new Dictionary<string, object?>());

    private static string Graph(string node, params string[] ports)
    {
        var id = JsonNode.Parse(node)!["id"]!.GetValue<string>();
        var collectors = string.Join(",", ports.Select(p => $$"""{"id":"{{p}}","type":"Collect"}"""));
        var links = string.Join(",", ports.Select(p => $$"""{"from":"{{id}}","fromPort":"{{p}}","to":"{{p}}"}"""));
        return $$"""{"nodes":[{"id":"in","type":"OnMessage"},{{node}},{{collectors}}],"links":[{"from":"in","to":"{{id}}"},{{links}}]}""";
    }

    private CompiledWorkflow Compile(string json)
    {
        var (graph, errors) = WorkflowGraph.Read(JsonNode.Parse(json));
        Assert.Empty(errors);
        var (workflow, problems) = new WorkflowCompiler(
            TestActions.Catalog(_collector, new ThresholdAction(), new AnomalyAction()), new WorkflowLanguages(new NCalcExpressions(), new LiquidTemplates()), EmptyServices.Instance).Compile(graph!);
        Assert.Empty(problems);
        return workflow!;
    }

    private async Task<string> Port(CompiledWorkflow workflow, double value, DeviceContext device, string field = "temp", bool dryRun = false)
    {
        var before = _collector.Items.Count;
        var state = dryRun ? new MemoryNodeState(_state) : (INodeStateStore)_state;
        var outcome = await WorkflowExecutor.RunAsync(workflow, new WorkflowItem(new Dictionary<string, object?> { [field] = value }, device),
            new RunContext(Guid.NewGuid(), WorkflowId, 1, new RecordedEffects(), state, TimeProvider.System, default));
        Assert.True(outcome.Succeeded, outcome.Failure?.Error);
        return _collector.Items.Skip(before).Single().Node;
    }
}
