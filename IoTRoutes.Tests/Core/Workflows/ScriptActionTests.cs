using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Languages;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>The Script action: process(item, device, message) in the formats' Jint sandbox, compiled once per version.</summary>
public sealed class ScriptActionTests
{
    private static readonly WorkflowLanguages Languages = new(new NCalcExpressions(), new LiquidTemplates());
    private static readonly DeviceContext Device = new(Guid.NewGuid(), "Boiler", "boiler-1", Guid.NewGuid(), null, "Heating",
        new Dictionary<string, object?> { ["floor"] = 2.0 });

    private readonly TestActions.Collector _collector = new();

    [Fact]
    public async Task A_script_transforms_the_item_and_sees_the_device_and_the_message()
    {
        var workflow = Compile("""
            function process(item, device, message) {
              item.tempF = item.temp * 9 / 5 + 32;
              item.where = device.name + '/' + device.attributes.floor + ' ' + message.topic;
              item.count = item.readings.length;
              delete item.raw;
              return item;
            }
            """);

        var outcome = await RunAsync(workflow, """{"temp":20,"raw":"x","readings":[1,2,3]}""");

        Assert.True(outcome.Succeeded, outcome.Failure?.Error);
        var item = Assert.Single(_collector.At("end"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"temp":20,"readings":[1,2,3],"tempF":68,"where":"Boiler/2 devices/boiler-1/up","count":3}"""), item.FieldsAsJson()),
            item.FieldsAsJson().ToJsonString());
        Assert.IsType<double>(item.Field("tempF")); // numbers are doubles, as everywhere in items
        Assert.Equal(Device, item.Device);
        Assert.Equal("devices/boiler-1/up", item.Message!.Topic);
    }

    [Theory]
    [InlineData("return null;")]
    [InlineData("return;")]
    [InlineData("return [];")]
    public async Task Returning_null_undefined_or_no_items_drops_the_item_and_the_run_ends_quietly(string body)
    {
        var workflow = Compile($"function process(item) {{ {body} }}");

        var outcome = await RunAsync(workflow, """{"temp":20}""");

        Assert.True(outcome.Succeeded);
        Assert.Empty(_collector.Items);
    }

    [Fact]
    public async Task Returning_an_array_sends_each_object_on_as_an_item()
    {
        var workflow = Compile("function process(item) { return item.readings.map(function (r, i) { return { value: r, index: i }; }); }");

        await RunAsync(workflow, """{"readings":[10,20.5]}""");

        Assert.Equal([(10.0, 0.0), (20.5, 1.0)], _collector.At("end").Select(i => ((double)i.Field("value")!, (double)i.Field("index")!)).OrderBy(x => x.Item2));
    }

    [Theory]
    [InlineData("throw new Error('sensor offline');", "The script threw (line 1, column 32): sensor offline")]
    // The time limit or the statement limit, whichever comes first on the machine: "ran longer than its time limit",
    // "ran more statements than its limit".
    [InlineData("while (true) { }", "than its")]
    [InlineData("return 42;", "must return an object (the item), an array of objects (several items) or null (none), not a number")]
    [InlineData("return [item, 1];", "not an array holding something other than objects")]
    [InlineData("var big = []; for (var i = 0; i < 101; i++) big.push({ i: i }); return big;", "returned 101 items; at most 100")]
    public async Task A_throw_a_limit_or_a_wrong_answer_goes_to_the_error_port_with_the_reason(string body, string error)
    {
        var workflow = Compile($"function process(item) {{ {body} }}", errorPort: true);

        var outcome = await RunAsync(workflow, """{"temp":20}""");

        Assert.True(outcome.Succeeded, outcome.Failure?.Error);
        var failed = Assert.Single(_collector.At("oops"));
        Assert.Contains(error, (string)failed.Field("error")!);
        Assert.Equal(("s", 20.0), ((string)failed.Field("errorNode")!, (double)failed.Field("temp")!));
        Assert.Empty(_collector.At("end"));
    }

    [Theory]
    [InlineData("var count = 0; function process(item) { count++; item.n = count; return item; }")]
    [InlineData("function process(item) { seen = (typeof seen === 'undefined' ? 0 : seen) + 1; item.n = seen; return item; }")]
    [InlineData("function process(item) { Math.k = (Math.k || 0) + 1; item.n = Math.k; return item; }")]
    [InlineData("function process(item) { Array.prototype.k = ([].k || 0) + 1; item.n = [].k; return item; }")]
    [InlineData("const box = { n: 0 }; function process(item) { box.n++; item.n = box.n; return item; }")]
    public async Task Nothing_a_call_leaves_behind_reaches_the_next_call(string script)
    {
        var workflow = Compile(script);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++) await RunAsync(workflow, "{}");
        })));

        Assert.Equal(40, _collector.At("end").Count);
        Assert.All(_collector.At("end"), item => Assert.Equal(1.0, item.Field("n")));
    }

    [Fact]
    public async Task Calls_of_a_script_that_keeps_to_its_own_objects_share_one_engine_and_others_get_a_fresh_one_each()
    {
        var shared = Compile("var count = 0; function process(item) { count++; item.n = count; return item; }");
        var fresh = Compile("function process(item) { Math.k = (Math.k || 0) + 1; item.n = Math.k; return item; }");

        for (var i = 0; i < 5; i++)
        {
            await RunAsync(shared, "{}");
            await RunAsync(fresh, "{}");
        }

        var (sharing, own) = (Runner(shared), Runner(fresh));
        Assert.Equal((null, 1L), (sharing.WhyNotReused, sharing.EnginesCreated));
        Assert.Contains("Math", own.WhyNotReused);
        Assert.Null(own.EnginesCreated);
        Assert.All(_collector.At("end"), item => Assert.Equal(1.0, item.Field("n")));
    }

    [Theory]
    [InlineData("function process(item) { return item", "Syntax error at line 1")]
    [InlineData("function transform(item) { return item; }", "defines no process(item, device, message) function")]
    [InlineData("var process = 3;", "defines no process")]
    [InlineData("throw new Error('not yet');", "The script threw (line 1, column 7): not yet")]
    // The time limit or the statement limit, whichever comes first on the machine: "ran longer than its time limit",
    // "ran more statements than its limit".
    [InlineData("while (true) { }", "than its")]
    [InlineData("   ", "Required.")]
    public void A_script_that_cannot_run_is_a_problem_at_its_setting(string script, string problem)
    {
        var (graph, errors) = WorkflowGraph.Read(Graph(script, errorPort: false));
        Assert.Empty(errors);

        var (workflow, problems) = Compiler().Compile(graph!);

        Assert.Null(workflow);
        var found = Assert.Single(problems);
        Assert.Equal(("s", "script"), (found.NodeId, found.Setting));
        Assert.Contains(problem, found.Message);
    }

    [Fact]
    public void The_catalog_entry_describes_the_contract_and_the_canvas_counts_the_lines()
    {
        var action = new ScriptAction();

        Assert.Equal(("Script", "Data"), (action.Type, action.Category));
        Assert.Equal(SettingKind.Script, Assert.Single(action.Settings).Kind);
        Assert.Equal(["out"], action.OutputPorts([]));
        Assert.Equal("process(): 3 lines of JavaScript", action.Summarize(new JsonObject { ["script"] = "function process(item) {\n\n  return item;\n}" }));
    }

    private static ScriptAction.Runner Runner(CompiledWorkflow workflow) => (ScriptAction.Runner)workflow.Nodes.Single(n => n.Type == "Script").Runner;

    private WorkflowCompiler Compiler() => new(TestActions.Catalog(_collector, new ScriptAction()), Languages, EmptyServices.Instance);

    private static JsonNode Graph(string script, bool errorPort)
    {
        var nodes = new JsonArray(
            new JsonObject { ["id"] = "in", ["type"] = "OnMessage" },
            new JsonObject { ["id"] = "s", ["type"] = "Script", ["settings"] = new JsonObject { ["script"] = script } },
            new JsonObject { ["id"] = "end", ["type"] = "Collect" });
        var links = JsonNode.Parse("""[{"from":"in","to":"s"},{"from":"s","to":"end"}]""")!.AsArray();
        if (errorPort)
        {
            nodes.Add(new JsonObject { ["id"] = "oops", ["type"] = "Collect" });
            links.Add(JsonNode.Parse("""{"from":"s","fromPort":"error","to":"oops"}"""));
        }

        return new JsonObject { ["nodes"] = nodes, ["links"] = links };
    }

    private CompiledWorkflow Compile(string script, bool errorPort = false)
    {
        var (graph, errors) = WorkflowGraph.Read(Graph(script, errorPort));
        Assert.Empty(errors);
        var (workflow, problems) = Compiler().Compile(graph!);
        Assert.Empty(problems);
        return workflow!;
    }

    /// <summary>Runs an item of the boiler, from a message.</summary>
    private ValueTask<RunOutcome> RunAsync(CompiledWorkflow workflow, string fields) =>
        WorkflowExecutor.RunAsync(workflow,
            WorkflowItem.FromJson(JsonNode.Parse(fields)!.AsObject(), Device, new MessageContext(Guid.NewGuid(), "devices/boiler-1/up", DateTimeOffset.UnixEpoch, null), "message"),
            new RunContext(Guid.NewGuid(), Guid.NewGuid(), 1, new RecordedEffects(), new MemoryNodeState(), TimeProvider.System, default));
}
