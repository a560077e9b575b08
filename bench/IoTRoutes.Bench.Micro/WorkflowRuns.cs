using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Languages;
using IoTRoutes.Core.Workflows.Model;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// One message through a workflow on one core (issue 15: a 5-node linear workflow at least 100,000 messages/s, a 2-branch
/// workflow with a Join beside it). Real actions, real NCalc expressions and Liquid templates; node state in memory (the
/// runner keeps it cached in front of the database); the Log line goes to a logger that drops it.
/// </summary>
[MemoryDiagnoser]
public class WorkflowRuns
{
    private const string Linear = """
        {"nodes":[{"id":"in","type":"OnMessage"},
          {"id":"filter","type":"Filter","settings":{"condition":"temp > -40 && has('humidity')"}},
          {"id":"transform","type":"Transform","settings":{"set":{"tempF":"temp * 9 / 5 + 32","comfort":"humidity < 60"},"remove":["raw"]}},
          {"id":"threshold","type":"Threshold","settings":{"field":"temp","threshold":30,"hysteresis":1}},
          {"id":"switch","type":"Switch","settings":{"cases":[{"name":"hot","condition":"tempF > 86"},{"name":"cold","condition":"tempF < 50"}]}},
          {"id":"log","type":"Log","settings":{"message":"{{ device.name }}: {{ temp }} °C","level":"Information"}}],
         "links":[{"from":"in","to":"filter"},{"from":"filter","fromPort":"true","to":"transform"},{"from":"transform","to":"threshold"},
                  {"from":"threshold","fromPort":"unchanged","to":"switch"},{"from":"threshold","fromPort":"crossed","to":"switch"},
                  {"from":"switch","fromPort":"default","to":"log"},{"from":"switch","fromPort":"hot","to":"log"}]}
        """;

    private const string Branches = """
        {"nodes":[{"id":"in","type":"OnMessage"},
          {"id":"a","type":"Transform","settings":{"set":{"tempF":"temp * 9 / 5 + 32"}}},
          {"id":"b","type":"Transform","settings":{"set":{"dry":"humidity < 30"}}},
          {"id":"join","type":"Join"},
          {"id":"filter","type":"Filter","settings":{"condition":"tempF > 0 || dry"}}],
         "links":[{"from":"in","to":"a"},{"from":"in","to":"b"},{"from":"a","to":"join"},{"from":"b","to":"join"},{"from":"join","to":"filter"}]}
        """;

    private CompiledWorkflow _linear = null!;
    private CompiledWorkflow _branches = null!;
    private RunContext _run = null!;
    private WorkflowItem[] _items = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var catalog = new ActionCatalog(
        [
            new OnMessageTrigger(), new FilterAction(), new TransformAction(), new ThresholdAction(), new SwitchAction(), new LogAction(), new JoinAction(),
        ]);
        var services = new Services();
        var compiler = new WorkflowCompiler(catalog, new WorkflowLanguages(new NCalcExpressions(), new LiquidTemplates()), services);
        _linear = compiler.Compile(WorkflowGraph.Read(JsonNode.Parse(Linear)).Graph!).Workflow ?? throw new InvalidOperationException("The linear workflow does not compile.");
        _branches = compiler.Compile(WorkflowGraph.Read(JsonNode.Parse(Branches)).Graph!).Workflow ?? throw new InvalidOperationException("The branches do not compile.");
        _run = new RunContext(Guid.NewGuid(), Guid.NewGuid(), 1, new PerformingEffects(services), new MemoryNodeState(), TimeProvider.System, default);
        var devices = Enumerable.Range(0, 20).Select(i => new DeviceContext(Guid.NewGuid(), $"sensor {i}", $"s{i}", Guid.Empty, null, "Climate", new Dictionary<string, object?>())).ToArray();
        _items = [.. Enumerable.Range(0, 1000).Select(i => new WorkflowItem(
            new Dictionary<string, object?> { ["temp"] = 15.0 + i % 25, ["humidity"] = 40.0 + i % 30, ["raw"] = "x", ["seq"] = (double)i },
            devices[i % devices.Length]))];
        foreach (var (workflow, end) in new[] { (_linear, "log"), (_branches, "filter") })
        {
            var outcome = WorkflowExecutor.RunAsync(workflow, _items[0], _run).AsTask().GetAwaiter().GetResult();
            if (!outcome.Succeeded || outcome.Path[^1] != end) throw new InvalidOperationException($"A benchmark run did not reach {end}: {string.Join(" > ", outcome.Path)}");
        }
    }

    [Benchmark(Baseline = true, Description = "5 nodes in a line: Filter, Transform, Threshold, Switch, Log")]
    public bool LinearWorkflow() => Run(_linear);

    [Benchmark(Description = "2 branches (Transform each) and a Join, then a Filter")]
    public bool BranchesAndJoin() => Run(_branches);

    private bool Run(CompiledWorkflow workflow)
    {
        var item = _items[_next++ % _items.Length];
        var pending = WorkflowExecutor.RunAsync(workflow, item, _run);
        return pending.IsCompletedSuccessfully ? pending.Result.Succeeded : pending.AsTask().GetAwaiter().GetResult().Succeeded;
    }

    private sealed class Services : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(ILoggerFactory) ? NullLoggerFactory.Instance : null;
    }
}
