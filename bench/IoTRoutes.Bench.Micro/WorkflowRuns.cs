using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Languages;
using IoTRoutes.Core.Workflows.Model;
using IoTRoutes.Core.Workflows.Runner;
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

    // Ends in a Transform: a Filter none of whose outcomes is linked is refused when compiled (since the review of issue 15).
    private const string Branches = """
        {"nodes":[{"id":"in","type":"OnMessage"},
          {"id":"a","type":"Transform","settings":{"set":{"tempF":"temp * 9 / 5 + 32"}}},
          {"id":"b","type":"Transform","settings":{"set":{"dry":"humidity < 30"}}},
          {"id":"join","type":"Join"},
          {"id":"filter","type":"Filter","settings":{"condition":"tempF > 0 || dry"}},
          {"id":"done","type":"Transform","settings":{"remove":["raw"]}}],
         "links":[{"from":"in","to":"a"},{"from":"in","to":"b"},{"from":"a","to":"join"},{"from":"b","to":"join"},{"from":"join","to":"filter"},
                  {"from":"filter","fromPort":"true","to":"done"}]}
        """;

    // A Transform's work as a Script node: its calls share engines (ScriptReuse) or, with a top-level const, get a fresh one each.
    private const string ScriptNode = """
        {"nodes":[{"id":"in","type":"OnMessage"},{"id":"script","type":"Script","settings":{"script":"SCRIPT"}}],
         "links":[{"from":"in","to":"script"}]}
        """;

    private const string Process = "function process(item, device) { item.tempF = item.temp * 9 / 5 + 32; item.comfort = item.humidity < 60; delete item.raw; item.site = device.name; return item; }";

    private CompiledWorkflow _linear = null!;
    private CompiledWorkflow _branches = null!;
    private CompiledWorkflow _scriptReused = null!;
    private CompiledWorkflow _scriptFresh = null!;
    private RunContext _run = null!;
    private PerformingEffects _effects = null!;
    private MemoryNodeState _state = null!;
    private WorkflowItem[] _items = null!;
    private DeviceContext[] _devices = null!;
    private byte[][] _payloads = null!;
    private Guid[] _messageIds = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var catalog = new ActionCatalog(
        [
            new OnMessageTrigger(), new FilterAction(), new TransformAction(), new ThresholdAction(), new SwitchAction(), new LogAction(), new JoinAction(),
            new ScriptAction(),
        ]);
        var services = new Services();
        var compiler = new WorkflowCompiler(catalog, new WorkflowLanguages(new NCalcExpressions(), new LiquidTemplates()), services);
        CompiledWorkflow Compile(string json)
        {
            var (workflow, problems) = compiler.Compile(WorkflowGraph.Read(JsonNode.Parse(json)).Graph!);
            return workflow ?? throw new InvalidOperationException($"A benchmark workflow does not compile: {string.Join("; ", problems.Select(p => $"{p.NodeId}.{p.Setting}: {p.Message}"))}");
        }

        _linear = Compile(Linear);
        _branches = Compile(Branches);
        _scriptReused = Compile(ScriptNode.Replace("SCRIPT", Process));
        _scriptFresh = Compile(ScriptNode.Replace("SCRIPT", "const unit = 'F'; " + Process));
        _effects = new PerformingEffects(services);
        _state = new MemoryNodeState();
        _run = new RunContext(Guid.NewGuid(), Guid.NewGuid(), 1, _effects, _state, TimeProvider.System, default);
        var devices = _devices = Enumerable.Range(0, 20).Select(i => new DeviceContext(Guid.NewGuid(), $"sensor {i}", $"s{i}", Guid.Empty, null, "Climate", new Dictionary<string, object?>())).ToArray();
        // The shape of the pipeline harness's 128-byte payload (bench/IoTRoutes.Bench/Payloads.cs), with the fields the workflow reads.
        _messageIds = [.. Enumerable.Range(0, 1000).Select(_ => Guid.CreateVersion7())]; // made here: making one is ~1.5 µs on Linux (random bytes)
        _payloads = [.. Enumerable.Range(0, 1000).Select(i => System.Text.Encoding.UTF8.GetBytes(
            $$"""{"seq":{{i}},"temp":{{15 + i % 25}}.5,"humidity":{{40 + i % 30}}.2,"f3":78.9,"f4":1.2,"f5":3.4,"f6":5.6,"f7":7.8,"f8":9.1,"raw":"{{new string('x', 40)}}"}"""))];
        _items = [.. Enumerable.Range(0, 1000).Select(i => new WorkflowItem(
            new Dictionary<string, object?> { ["temp"] = 15.0 + i % 25, ["humidity"] = 40.0 + i % 30, ["raw"] = "x", ["seq"] = (double)i },
            devices[i % devices.Length]))];
        foreach (var (workflow, end) in new[] { (_linear, "log"), (_branches, "done"), (_scriptReused, "script"), (_scriptFresh, "script") })
        {
            var outcome = WorkflowExecutor.RunAsync(workflow, _items[0], _run).AsTask().GetAwaiter().GetResult();
            if (!outcome.Succeeded || outcome.Path[^1] != end) throw new InvalidOperationException($"A benchmark run did not reach {end}: {string.Join(" > ", outcome.Path)}");
        }
    }

    [Benchmark(Baseline = true, Description = "5 nodes in a line: Filter, Transform, Threshold, Switch, Log")]
    public bool LinearWorkflow() => Run(_linear);

    [Benchmark(Description = "a 128-byte JSON payload's fields read into an item")]
    public int ReadFields() => Read(_next++ % _payloads.Length).Fields.Count;

    [Benchmark(Description = "the runner's work per message: payload read into an item, a run context, the 5 nodes")]
    public bool ReadAndRunLinear()
    {
        var index = _next++ % _payloads.Length;
        var item = Read(index);
        var run = new RunContext(null, _run.WorkflowId, 1, _effects, _state, TimeProvider.System, default) { SourceId = item.Message!.Id };
        var pending = WorkflowExecutor.RunAsync(_linear, item, run);
        return pending.IsCompletedSuccessfully ? pending.Result.Succeeded : pending.AsTask().GetAwaiter().GetResult().Succeeded;
    }

    private WorkflowItem Read(int index) =>
        MessageItems.From(_messageIds[index], "devices/s1/telemetry", DateTimeOffset.UnixEpoch, null, null, _payloads[index], _devices[index % _devices.Length]);

    [Benchmark(Description = "2 branches (Transform each) and a Join, then a Filter and a Transform")]
    public bool BranchesAndJoin() => Run(_branches);

    [Benchmark(Description = "Script (4 fields changed, engines reused)")]
    public bool ScriptReusingEngines() => Run(_scriptReused);

    [Benchmark(Description = "Script with a top-level const (a fresh engine per call)")]
    public bool ScriptFreshEngines() => Run(_scriptFresh);

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
