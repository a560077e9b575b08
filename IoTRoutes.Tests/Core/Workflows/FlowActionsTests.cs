using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Languages;
using IoTRoutes.Core.Workflows.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>Filter, Switch, Transform, Log and Delay with the real expression and template languages.</summary>
public sealed class FlowActionsTests
{
    private static readonly WorkflowLanguages Languages = new(new NCalcExpressions(), new LiquidTemplates());
    private readonly TestActions.Collector _collector = new();

    [Theory]
    [InlineData(35, "hot")]
    [InlineData(20, "cold")]
    public async Task A_filter_sends_the_item_on_true_or_false(double temp, string reached)
    {
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"f","type":"Filter","settings":{"condition":"temp > 30"}},{"id":"hot","type":"Collect"},{"id":"cold","type":"Collect"}],
             "links":[{"from":"in","to":"f"},{"from":"f","fromPort":"true","to":"hot"},{"from":"f","fromPort":"false","to":"cold"}]}
            """);

        await Run(workflow, new JsonObject { ["temp"] = temp });

        Assert.Equal([reached], _collector.Items.Select(i => i.Node));
    }

    [Theory]
    [InlineData(false, 45, new[] { "hot" })]
    [InlineData(true, 45, new[] { "hot", "warm" })]
    [InlineData(false, 25, new[] { "warm" })]
    [InlineData(false, 5, new[] { "other" })]
    public async Task A_switch_sends_the_item_by_its_first_or_every_matching_case_or_by_default(bool all, double temp, string[] reached)
    {
        var workflow = Compile($$$"""
            {"nodes":[{"id":"in","type":"OnMessage"},
                      {"id":"s","type":"Switch","settings":{"all":{{{(all ? "true" : "false")}}},"cases":[{"name":"hot","condition":"temp > 40"},{"name":"warm","condition":"temp > 20"}]}},
                      {"id":"hot","type":"Collect"},{"id":"warm","type":"Collect"},{"id":"other","type":"Collect"}],
             "links":[{"from":"in","to":"s"},{"from":"s","fromPort":"hot","to":"hot"},{"from":"s","fromPort":"warm","to":"warm"},{"from":"s","fromPort":"default","to":"other"}]}
            """);

        await Run(workflow, new JsonObject { ["temp"] = temp });

        Assert.Equal(reached, _collector.Items.Select(i => i.Node));
    }

    [Fact]
    public async Task A_transform_computes_from_the_input_then_renames_then_removes()
    {
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},
                      {"id":"t","type":"Transform","settings":{"set":{"tempF":"temp * 9 / 5 + 32","site":"'north'","temp":"temp + 1","seen":"temp"},"rename":{"hum":"humidity"},"remove":["raw"]}},
                      {"id":"end","type":"Collect"}],
             "links":[{"from":"in","to":"t"},{"from":"t","to":"end"}]}
            """);

        await Run(workflow, JsonNode.Parse("""{"temp":20,"hum":40,"raw":"x"}""")!.AsObject());

        var item = Assert.Single(_collector.At("end"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"temp":21,"tempF":68,"site":"north","seen":20,"humidity":40}"""), item.FieldsAsJson()), item.FieldsAsJson().ToJsonString());
    }

    [Fact]
    public async Task A_transform_gives_the_same_fields_in_the_same_order_for_a_message_s_field_list_as_for_a_dictionary()
    {
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},
                      {"id":"t","type":"Transform","settings":{"set":{"tempF":"temp * 9 / 5 + 32","temp":"temp + 1"},"rename":{"hum":"humidity","a":"b"},"remove":["raw"]}},
                      {"id":"end","type":"Collect"}],
             "links":[{"from":"in","to":"t"},{"from":"t","to":"end"}]}
            """);
        const string Fields = """{"temp":20,"hum":40,"raw":"x","a":1,"b":2,"z":true}""";
        var message = IoTRoutes.Core.Workflows.Runner.MessageItems.From(Guid.NewGuid(), "t/1", DateTimeOffset.UtcNow, null, null, System.Text.Encoding.UTF8.GetBytes(Fields), null);
        Assert.IsType<FieldList>(message.Fields);

        foreach (var item in new[] { message, WorkflowItem.FromJson(JsonNode.Parse(Fields)!.AsObject()) })
        {
            await WorkflowExecutor.RunAsync(workflow, item, new RunContext(Guid.NewGuid(), Guid.NewGuid(), 1, new RecordedEffects(), new MemoryNodeState(), TimeProvider.System, default));
        }

        var (fromList, fromDictionary) = (_collector.At("end")[0], _collector.At("end")[1]);
        Assert.IsType<FieldList>(fromList.Fields);
        // A renamed field keeps its place; one renamed onto another takes that one's place; set fields come last.
        Assert.Equal(["temp", "humidity", "b", "z", "tempF"], fromList.Fields.Keys);
        Assert.Equal(fromDictionary.Fields.Keys, fromList.Fields.Keys);
        Assert.Equal(fromDictionary.Fields.Values, fromList.Fields.Values);
        Assert.Equal((21.0, 68.0, 40.0, 1.0), (fromList.Field("temp"), fromList.Field("tempF"), fromList.Field("humidity"), fromList.Field("b")));
    }

    [Fact]
    public async Task An_expression_that_fails_for_an_item_goes_to_the_error_port_with_the_reason()
    {
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"f","type":"Filter","settings":{"condition":"mode"}},{"id":"oops","type":"Collect"},{"id":"ok","type":"Collect"}],
             "links":[{"from":"in","to":"f"},{"from":"f","fromPort":"true","to":"ok"},{"from":"f","fromPort":"error","to":"oops"}]}
            """);

        await Run(workflow, new JsonObject { ["mode"] = "eco" });

        Assert.Contains("not true or false", (string)Assert.Single(_collector.At("oops")).Field("error")!);
    }

    [Fact]
    public async Task A_dry_run_records_the_log_line_and_does_not_wait_for_a_delay()
    {
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"d","type":"Delay","settings":{"duration":"10m"}},{"id":"log","type":"Log","settings":{"message":"{{ temp }} °C","level":"Warning"}},{"id":"end","type":"Collect"}],
             "links":[{"from":"in","to":"d"},{"from":"d","to":"log"},{"from":"log","to":"end"}]}
            """);
        var effects = new RecordedEffects();

        var outcome = await Run(workflow, new JsonObject { ["temp"] = 21.5 }, effects);

        Assert.True(outcome.Succeeded);
        var line = Assert.Single(effects.Effects);
        Assert.Equal(("log", "Log", "21.5 °C", "Warning"), (line.NodeId, line.Kind, line.Details["text"]!.GetValue<string>(), line.Details["level"]!.GetValue<string>()));
        Assert.Equal("log (Warning): 21.5 °C", line.Summary);
        Assert.Single(_collector.At("end"));
    }

    [Fact]
    public async Task A_real_run_writes_log_lines_at_enabled_levels_and_skips_the_others()
    {
        var lines = new List<(LogLevel Level, string Text)>();
        using var services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning).AddProvider(new CollectingLoggerProvider(lines)))
            .BuildServiceProvider();
        var compiler = new WorkflowCompiler(TestActions.Catalog(_collector, new LogAction()), Languages, services);
        var (graph, _) = WorkflowGraph.Read(JsonNode.Parse("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"info","type":"Log","settings":{"message":"info {{ temp }}"}},
                      {"id":"warn","type":"Log","settings":{"message":"warn {{ temp }}","level":"Warning"}},{"id":"end","type":"Collect"}],
             "links":[{"from":"in","to":"info"},{"from":"info","to":"warn"},{"from":"warn","to":"end"}]}
            """));
        var workflow = compiler.Compile(graph!).Workflow!;

        var outcome = await WorkflowExecutor.RunAsync(workflow, WorkflowItem.FromJson(new JsonObject { ["temp"] = 7.0 }),
            new RunContext(Guid.NewGuid(), Guid.NewGuid(), 1, new PerformingEffects(services), new MemoryNodeState(), TimeProvider.System, default));

        Assert.True(outcome.Succeeded);
        var line = Assert.Single(lines);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.EndsWith("warn 7", line.Text);
        Assert.Single(_collector.At("end")); // the skipped line still passes the item on
    }

    private sealed class CollectingLoggerProvider(List<(LogLevel, string)> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Collecting(lines);

        public void Dispose()
        {
        }

        private sealed class Collecting(List<(LogLevel, string)> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (lines) lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }

    [Theory]
    [InlineData("""{"id":"f","type":"Filter","settings":{"condition":"temp >"}}""", "f", "condition", "Not a valid expression")]
    [InlineData("""{"id":"f","type":"Filter"}""", "f", "condition", "Required")]
    [InlineData("""{"id":"s","type":"Switch","settings":{"cases":[{"name":"default","condition":"true"}]}}""", "s", "cases[0]", "taken")]
    [InlineData("""{"id":"s","type":"Switch","settings":{"cases":[{"name":"a","condition":"x >"}]}}""", "s", "cases[0].condition", "Not a valid expression")]
    [InlineData("""{"id":"t","type":"Transform","settings":{"set":{"x":"1 +"}}}""", "t", "set.x", "Not a valid expression")]
    [InlineData("""{"id":"t","type":"Transform","settings":{}}""", "t", "set", "Nothing to do")]
    [InlineData("""{"id":"l","type":"Log","settings":{"message":"{% if %}"}}""", "l", "message", "Not a valid template")]
    [InlineData("""{"id":"d","type":"Delay","settings":{"duration":"2h"}}""", "d", "duration", "Between")]
    public void Bad_settings_are_problems_at_the_setting(string node, string nodeId, string setting, string message)
    {
        var (graph, _) = WorkflowGraph.Read(JsonNode.Parse($$"""{"nodes":[{"id":"in","type":"OnMessage"},{{node}}],"links":[{"from":"in","to":"{{nodeId}}"}]}"""));

        var (_, problems) = Compiler().Compile(graph!);

        Assert.Contains(problems, p => p.NodeId == nodeId && p.Setting == setting && p.Message.Contains(message));
    }

    private WorkflowCompiler Compiler() => new(
        TestActions.Catalog(_collector, new FilterAction(), new SwitchAction(), new TransformAction(), new LogAction(), new DelayAction()), Languages, EmptyServices.Instance);

    private CompiledWorkflow Compile(string json)
    {
        var (graph, errors) = WorkflowGraph.Read(JsonNode.Parse(json));
        Assert.Empty(errors);
        var (workflow, problems) = Compiler().Compile(graph!);
        Assert.Empty(problems);
        return workflow!;
    }

    private static ValueTask<RunOutcome> Run(CompiledWorkflow workflow, JsonObject fields, RecordedEffects? effects = null) =>
        WorkflowExecutor.RunAsync(workflow, WorkflowItem.FromJson(fields),
            new RunContext(Guid.NewGuid(), Guid.NewGuid(), 1, effects ?? new RecordedEffects(), new MemoryNodeState(), TimeProvider.System, default));
}
