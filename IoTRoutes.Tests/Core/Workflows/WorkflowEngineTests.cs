using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>The engine's semantics: sequence, parallel branches, joins, error ports, failures, the hop limit, traces.</summary>
public sealed class WorkflowEngineTests
{
    private readonly TestActions.Collector _collector = new();

    [Fact]
    public async Task Nodes_run_in_sequence_each_on_the_output_of_the_one_before()
    {
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"Set","settings":{"name":"a","value":1}},
                      {"id":"b","type":"Set","settings":{"name":"b","value":2}},{"id":"end","type":"Collect"}],
             "links":[{"from":"in","to":"a"},{"from":"a","to":"b"},{"from":"b","to":"end"}]}
            """);

        var outcome = await Run(workflow, """{"temp":21}""");

        Assert.True(outcome.Succeeded);
        Assert.Equal(["in", "a", "b", "end"], outcome.Path);
        var item = Assert.Single(_collector.At("end"));
        Assert.Equal((21.0, 1.0, 2.0), (item.Field("temp"), item.Field("a"), item.Field("b")));
    }

    [Fact]
    public async Task Every_branch_gets_the_output_and_one_branch_never_sees_another_s_changes()
    {
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"Set","settings":{"name":"x","value":1}},
                      {"id":"b","type":"Set","settings":{"name":"y","value":2}},{"id":"endA","type":"Collect"},{"id":"endB","type":"Collect"}],
             "links":[{"from":"in","to":"a"},{"from":"in","to":"b"},{"from":"a","to":"endA"},{"from":"b","to":"endB"}]}
            """);

        await Run(workflow, "{}");

        var a = Assert.Single(_collector.At("endA"));
        var b = Assert.Single(_collector.At("endB"));
        Assert.Equal((1.0, null), (a.Field("x"), a.Field("y")));
        Assert.Equal((null, 2.0), (b.Field("x"), b.Field("y")));
    }

    [Fact]
    public async Task A_branch_that_awaits_lets_the_other_branches_run_meanwhile_and_a_join_waits_for_both()
    {
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"slow","type":"Wait","settings":{"ms":150}},
                      {"id":"fast","type":"Wait","settings":{"ms":0}},{"id":"x","type":"Set","settings":{"name":"x","value":1}},
                      {"id":"join","type":"Join","settings":{"timeout":"10s"}},{"id":"end","type":"Collect"}],
             "links":[{"from":"in","to":"slow"},{"from":"in","to":"fast"},{"from":"fast","to":"x"},
                      {"from":"slow","to":"join"},{"from":"x","to":"join"},{"from":"join","to":"end"}]}
            """);

        var outcome = await Run(workflow, """{"n":5}""");

        Assert.True(outcome.Succeeded, outcome.Failure?.Error);
        Assert.Equal(["wait:fast", "wait:slow", "end"], _collector.Items.Select(i => i.Node));
        var merged = Assert.Single(_collector.At("end"));
        Assert.Equal((5.0, 1.0), (merged.Field("n"), merged.Field("x")));
    }

    [Fact]
    public async Task A_join_whose_branch_was_filtered_out_ends_quietly_or_sends_what_arrived_on_timeout_when_linked()
    {
        const string nodes = """
            {"id":"in","type":"OnMessage"},{"id":"hot","type":"When","settings":{"field":"temp","above":30}},
            {"id":"a","type":"Set","settings":{"name":"a","value":1}},{"id":"join","type":"Join"},{"id":"end","type":"Collect"}
            """;
        const string links = """{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"join"},{"from":"in","to":"a"},{"from":"a","to":"join"},{"from":"join","to":"end"}""";
        var quiet = Compile($$"""{"nodes":[{{nodes}}],"links":[{{links}}]}""");
        var withTimeout = Compile($$"""{"nodes":[{{nodes}},{"id":"partial","type":"Collect"}],"links":[{{links}},{"from":"join","fromPort":"timeout","to":"partial"}]}""");

        var first = await Run(quiet, """{"temp":20}""");
        var second = await Run(withTimeout, """{"temp":20}""");

        Assert.True(first.Succeeded);
        Assert.True(second.Succeeded);
        Assert.Empty(_collector.At("end"));
        Assert.Equal(1.0, Assert.Single(_collector.At("partial")).Field("a"));
    }

    [Fact]
    public async Task A_join_still_waiting_after_its_timeout_fails_the_run_naming_the_missing_branch()
    {
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"slow","type":"Wait","settings":{"ms":60000}},{"id":"a","type":"Set","settings":{"name":"a","value":1}},
                      {"id":"join","type":"Join","settings":{"timeout":"50ms"}},{"id":"end","type":"Collect"}],
             "links":[{"from":"in","to":"slow"},{"from":"in","to":"a"},{"from":"slow","to":"join"},{"from":"a","to":"join"},{"from":"join","to":"end"}]}
            """);

        using var cancel = new CancellationTokenSource();
        var outcome = await Run(workflow, "{}", cancellation: cancel.Token);
        await cancel.CancelAsync();

        Assert.False(outcome.Succeeded);
        Assert.Equal("join", outcome.Failure!.NodeId);
        Assert.Contains("for slow", outcome.Failure.Error);
        Assert.Empty(_collector.At("end"));
    }

    [Fact]
    public async Task An_error_goes_to_the_error_port_when_linked_and_otherwise_fails_the_run_with_the_node_its_input_and_the_error()
    {
        const string nodes = """{"id":"in","type":"OnMessage"},{"id":"boom","type":"Boom"},{"id":"after","type":"Collect"}""";
        var handled = Compile($$"""{"nodes":[{{nodes}},{"id":"handler","type":"Collect"}],"links":[{"from":"in","to":"boom"},{"from":"boom","to":"after"},{"from":"boom","fromPort":"error","to":"handler"}]}""");
        var unhandled = Compile($$"""{"nodes":[{{nodes}}],"links":[{"from":"in","to":"boom"},{"from":"boom","to":"after"}]}""");

        var first = await Run(handled, """{"temp":21}""");
        var second = await Run(unhandled, """{"temp":22}""");

        Assert.True(first.Succeeded);
        var error = Assert.Single(_collector.At("handler"));
        Assert.Equal(("boom", 21.0), (error.Field("errorNode"), error.Field("temp")));
        Assert.Contains("sensor table missing", (string)error.Field("error")!);
        Assert.False(second.Succeeded);
        Assert.Equal("boom", second.Failure!.NodeId);
        Assert.Contains("sensor table missing", second.Failure.Error);
        Assert.Equal(22, second.Failure.Input!["fields"]!["temp"]!.GetValue<double>());
        Assert.Empty(_collector.At("after"));
    }

    [Fact]
    public async Task One_failing_run_leaves_the_next_runs_of_the_same_workflow_untouched()
    {
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"hot","type":"When","settings":{"field":"temp","above":30}},{"id":"boom","type":"Boom"},{"id":"end","type":"Collect"}],
             "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"boom"},{"from":"hot","fromPort":"false","to":"end"}]}
            """);

        var outcomes = new List<RunOutcome>();
        foreach (var temp in new[] { 20, 35, 21 }) outcomes.Add(await Run(workflow, $$"""{"temp":{{temp}}}"""));

        Assert.Equal([true, false, true], outcomes.Select(o => o.Succeeded));
        Assert.Equal([20.0, 21.0], _collector.At("end").Select(i => i.Field("temp")));
    }

    [Fact]
    public async Task A_runaway_graph_is_stopped_at_the_hop_limit_with_a_clear_error()
    {
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"s1","type":"Split","settings":{"copies":20}},{"id":"s2","type":"Split","settings":{"copies":20}},
                      {"id":"s3","type":"Split","settings":{"copies":20}},{"id":"end","type":"Collect"}],
             "links":[{"from":"in","to":"s1"},{"from":"s1","to":"s2"},{"from":"s2","to":"s3"},{"from":"s3","to":"end"}]}
            """);

        var outcome = await Run(workflow, "{}");

        Assert.False(outcome.Succeeded);
        Assert.Contains("more than 1,000 nodes", outcome.Failure!.Error);
        Assert.True(_collector.At("end").Count < 1000);
    }

    [Fact]
    public async Task A_traced_run_records_each_node_s_input_port_and_output_and_counters_follow_every_run()
    {
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"hot","type":"When","settings":{"field":"temp","above":30}},{"id":"end","type":"Collect"}],
             "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"end"}]}
            """);

        var traced = await Run(workflow, """{"temp":35}""", trace: true);
        await Run(workflow, """{"temp":20}""");

        Assert.Equal(["in", "hot", "end"], traced.Steps!.Select(s => s.NodeId));
        var hot = traced.Steps![1];
        Assert.Equal(("true", 35.0), (hot.Port, hot.Output!["fields"]!["temp"]!.GetValue<double>()));
        var counters = workflow.Counters().Single(c => c.NodeId == "hot");
        Assert.Equal((2L, 0L, 1L, 1L), (counters.In, counters.Errors, counters.Out["true"], counters.Out["false"]));
    }

    private CompiledWorkflow Compile(string json)
    {
        var (graph, errors) = WorkflowGraph.Read(JsonNode.Parse(json));
        Assert.Empty(errors);
        var (workflow, problems) = new WorkflowCompiler(TestActions.Catalog(_collector), TestActions.NoLanguages, EmptyServices.Instance).Compile(graph!);
        Assert.Empty(problems);
        return workflow!;
    }

    private static ValueTask<RunOutcome> Run(CompiledWorkflow workflow, string fields, bool trace = false, CancellationToken cancellation = default) =>
        WorkflowExecutor.RunAsync(
            workflow,
            WorkflowItem.FromJson(JsonNode.Parse(fields)!.AsObject()),
            new RunContext(Guid.NewGuid(), Guid.NewGuid(), 1, new RecordedEffects(), new MemoryNodeState(), TimeProvider.System, cancellation) { Trace = trace });
}

internal sealed class EmptyServices : IServiceProvider
{
    public static readonly EmptyServices Instance = new();

    public object? GetService(Type serviceType) => null;
}
