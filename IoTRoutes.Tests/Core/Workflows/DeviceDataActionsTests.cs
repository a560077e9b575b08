using System.Text.Json.Nodes;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Devices.Attributes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Telemetry;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Languages;
using IoTRoutes.Core.Workflows.Model;
using IoTRoutes.Core.Workflows.Triggers;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>SetAttribute and SaveTelemetry compiled and run by the engine with the real languages: dry runs record, real runs write a SQLite file.</summary>
public sealed class DeviceDataActionsTests : IAsyncLifetime
{
    private static readonly WorkflowLanguages Languages = new(new NCalcExpressions(), new LiquidTemplates());

    private const string Remember = """
        {"nodes":[{"id":"in","type":"OnMessage"},
                  {"id":"set","type":"SetAttribute","settings":{"attributes":{"lastTemp":"temp","room":"'B12'","hot":"temp > 30"}}},
                  {"id":"end","type":"Collect"}],
         "links":[{"from":"in","to":"set"},{"from":"set","to":"end"}]}
        """;

    private const string Compute = """
        {"nodes":[{"id":"in","type":"OnMessage"},
                  {"id":"save","type":"SaveTelemetry","settings":{"fields":{"heatIndex":"temp * 1.1","dew":"hum - 20"}}},
                  {"id":"end","type":"Collect"}],
         "links":[{"from":"in","to":"save"},{"from":"save","to":"end"}]}
        """;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly TestActions.Collector _collector = new();
    private SqliteContexts _db = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _db = await SqliteContexts.CreateAsync();
        _services = new ServiceCollection().AddSingleton<TimeProvider>(_clock)
            .AddSingleton(new DeviceAttributeWriter(_db, new DeviceAttributeFeed(), _clock))
            .AddSingleton(new ComputedTelemetryWriter(_db, new MessageFeed(), _clock))
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Theory]
    [InlineData("SetAttribute", """{}""", "attributes", "Required.")]
    [InlineData("SetAttribute", """{"attributes":{}}""", "attributes", "at least one")]
    [InlineData("SetAttribute", """{"attributes":["floor"]}""", "attributes", "An object of names")]
    [InlineData("SetAttribute", """{"attributes":{"max-temp":"temp"}}""", "attributes.max-temp", "letters, digits and _")]
    [InlineData("SetAttribute", """{"attributes":{"floor":"3 +"}}""", "attributes.floor", "Not a valid expression")]
    [InlineData("SetAttribute", """{"attributes":{"floor":{"x":1}}}""", "attributes.floor", "An expression is expected")]
    [InlineData("SaveTelemetry", """{"fields":{}}""", "fields", "at least one")]
    [InlineData("SaveTelemetry", """{"fields":{"heat index":"temp"}}""", "fields.heat index", "letters, digits and _")]
    [InlineData("SaveTelemetry", """{"fields":{"heatIndex":"nope(temp)"}}""", "fields.heatIndex", "no function nope")]
    [InlineData("SaveTelemetry", """{"fields":{"heatIndex":"  "}}""", "fields.heatIndex", "An expression is expected")]
    public void Invalid_settings_are_problems_at_the_setting(string type, string settings, string setting, string message)
    {
        var (graph, errors) = WorkflowGraph.Read(JsonNode.Parse($$"""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"{{type}}","settings":{{settings}}}],"links":[{"from":"in","to":"a"}]}
            """));
        Assert.Empty(errors);

        var (workflow, problems) = Compiler().Compile(graph!);

        Assert.Null(workflow);
        var problem = Assert.Single(problems);
        Assert.Equal(("a", setting), (problem.NodeId, problem.Setting));
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void More_fields_than_a_point_holds_is_a_problem()
    {
        var fields = new JsonObject();
        for (var i = 0; i <= ComputedTelemetryRules.MaxFields; i++) fields[$"f{i}"] = "temp";
        var (graph, _) = WorkflowGraph.Read(new JsonObject
        {
            ["nodes"] = new JsonArray(new JsonObject { ["id"] = "in", ["type"] = "OnMessage" },
                new JsonObject { ["id"] = "a", ["type"] = "SaveTelemetry", ["settings"] = new JsonObject { ["fields"] = fields } }),
            ["links"] = new JsonArray(new JsonObject { ["from"] = "in", ["to"] = "a" }),
        });

        var problem = Assert.Single(Compiler().Compile(graph!).Problems);

        Assert.Equal(("fields", "At most 20 at once."), (problem.Setting, problem.Message));
    }

    [Fact]
    public async Task A_dry_run_of_SetAttribute_records_the_values_and_sets_nothing()
    {
        var device = await AddDeviceAsync("Lab");
        var effects = new RecordedEffects();

        var outcome = await RunAsync(Compile(Remember), device, """{"temp":35.5}""", effects);

        Assert.True(outcome.Succeeded, outcome.Failure?.Error);
        var effect = Assert.Single(effects.Effects);
        Assert.Equal(("set", "SetAttribute"), (effect.NodeId, effect.Kind));
        Assert.Matches("^set .*lastTemp = 35.5.* on Lab$", effect.Summary);
        Assert.Equal("""{"hot":true,"lastTemp":35.5,"room":"B12"}""", Sorted(effect.Details["attributes"]!.AsObject()));
        Assert.StartsWith("workflow ", effect.Details["updatedBy"]!.GetValue<string>());
        Assert.Single(_collector.At("end"));
        Assert.Equal(0, await CountAsync(db => db.DeviceAttributes));
    }

    [Fact]
    public async Task A_real_run_sets_the_attributes_as_the_workflow_passes_the_item_on_and_setting_the_same_again_writes_nothing()
    {
        var device = await AddDeviceAsync("Kitchen");
        var workflowId = Guid.NewGuid();
        var workflow = Compile(Remember);

        var first = await RunAsync(workflow, device, """{"temp":21}""", Performing(), workflowId);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var second = await RunAsync(workflow, device, """{"temp":21}""", Performing(), workflowId);

        Assert.True(first.Succeeded && second.Succeeded, first.Failure?.Error ?? second.Failure?.Error);
        Assert.All(_collector.At("end"), item => Assert.Equal(21.0, item.Field("temp")));
        Assert.Equal(2, _collector.At("end").Count);
        await using var db = _db.CreateDbContext();
        var stored = await db.DeviceAttributes.OrderBy(a => a.Key).ToListAsync();
        Assert.Equal([("hot", "false"), ("lastTemp", "21"), ("room", "\"B12\"")], stored.Select(a => (a.Key, a.Value)));
        Assert.All(stored, a => Assert.Equal(($"workflow {workflowId}", _clock.GetUtcNow().AddMinutes(-1)), (a.UpdatedBy, a.UpdatedAt)));
    }

    [Fact]
    public async Task Expressions_read_the_attributes_the_reader_gives_the_device()
    {
        var device = await AddDeviceAsync("Upstairs");
        await new DeviceAttributeWriter(_db, new DeviceAttributeFeed(), _clock).SetAsync(device.Id, [new("floor", "3"), new("wing", "\"east\"")], "test", default);
        await using var db = _db.CreateDbContext();
        var attributes = (await DeviceAttributeReader.ReadAsync(db, [device.Id], default))[device.Id];
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},
                      {"id":"set","type":"SetAttribute","settings":{"attributes":{"above":"device.attributes.floor + 1","where":"device.attributes.wing + '-wing'"}}}],
             "links":[{"from":"in","to":"set"}]}
            """);
        var effects = new RecordedEffects();

        var outcome = await RunAsync(workflow, device, "{}", effects, attributes: attributes);

        Assert.True(outcome.Succeeded, outcome.Failure?.Error);
        Assert.Equal("""{"above":4,"where":"east-wing"}""", Sorted(Assert.Single(effects.Effects).Details["attributes"]!.AsObject()));
    }

    [Theory]
    [InlineData("""{"attributes":{"lastTemp":"temp"}}""", """{"hum":40}""", "Attribute lastTemp: temp gave no value (is a field missing?).")]
    [InlineData("""{"attributes":{"note":"text"}}""", """{"text":"$long"}""", "Attribute note: text cannot be stored. A text value has at most 1,000 characters.")]
    [InlineData("""{"attributes":{"ratio":"temp / 0"}}""", """{"temp":1}""", "Attribute ratio: temp / 0 cannot be stored.")]
    public async Task A_value_that_cannot_be_an_attribute_fails_the_node_with_the_reason_and_sets_nothing(string settings, string fields, string error)
    {
        var device = await AddDeviceAsync("Odd");
        var workflow = Compile($$"""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"set","type":"SetAttribute","settings":{{settings}}},{"id":"oops","type":"Collect"}],
             "links":[{"from":"in","to":"set"},{"from":"set","fromPort":"error","to":"oops"}]}
            """);

        var outcome = await RunAsync(workflow, device, fields.Replace("$long", new string('x', 1001)), Performing());

        Assert.True(outcome.Succeeded, outcome.Failure?.Error); // the error port is linked
        Assert.StartsWith(error, Assert.Single(_collector.At("oops")).Field("error") as string);
        Assert.Equal(0, await CountAsync(db => db.DeviceAttributes));
    }

    [Fact]
    public async Task An_item_without_a_device_fails_either_action_naming_what_is_missing()
    {
        var set = await RunAsync(Compile(Remember), null, """{"temp":1}""", Performing());
        var save = await RunAsync(Compile(Compute), null, """{"temp":1,"hum":50}""", Performing());

        Assert.Equal(("set", "SetAttribute needs an item about a device; this one (test) has none."), (set.Failure!.NodeId, set.Failure.Error));
        Assert.Equal(("save", "SaveTelemetry needs an item about a device; this one (test) has none."), (save.Failure!.NodeId, save.Failure.Error));
    }

    [Fact]
    public async Task A_device_that_cannot_take_more_attributes_fails_the_node_with_the_reason()
    {
        var device = await AddDeviceAsync("Crowded");
        await new DeviceAttributeWriter(_db, new DeviceAttributeFeed(), _clock).SetAsync(
            device.Id, [.. Enumerable.Range(0, AttributeRules.MaxPerDevice).Select(i => new KeyValuePair<string, string>($"a{i}", "1"))], "test", default);

        var outcome = await RunAsync(Compile(Remember), device, """{"temp":1}""", Performing());

        Assert.Equal("set", outcome.Failure!.NodeId);
        Assert.Contains("at most 100 attributes", outcome.Failure.Error);
    }

    [Fact]
    public async Task A_dry_run_of_SaveTelemetry_records_the_fields_at_the_message_time_and_stores_nothing()
    {
        var device = await AddDeviceAsync("Greenhouse");
        var deviceTime = _clock.GetUtcNow().AddSeconds(-30);
        var effects = new RecordedEffects();

        var outcome = await RunAsync(Compile(Compute), device, """{"temp":30,"hum":60}""", effects, message: new MessageContext(Guid.NewGuid(), "t", _clock.GetUtcNow(), deviceTime));

        Assert.True(outcome.Succeeded, outcome.Failure?.Error);
        var effect = Assert.Single(effects.Effects);
        Assert.Equal(("save", "SaveTelemetry"), (effect.NodeId, effect.Kind));
        Assert.Matches("^save .*dew = 40.* as telemetry of Greenhouse$", effect.Summary);
        Assert.Equal(33.0, effect.Details["fields"]!["heatIndex"]!.GetValue<double>(), 9);
        Assert.Equal(40.0, effect.Details["fields"]!["dew"]!.GetValue<double>());
        Assert.Equal(deviceTime, effect.Details["at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(0, await CountAsync(db => db.ComputedTelemetry));
        Assert.Equal(0, await CountAsync(db => db.FieldValues));
    }

    [Fact]
    public async Task A_real_run_stores_the_fields_at_the_receive_time_without_a_device_time_leaves_out_a_field_that_gives_nothing_and_passes_the_item_on()
    {
        var device = await AddDeviceAsync("Barn");
        var received = _clock.GetUtcNow().AddSeconds(-2);
        var messageId = Guid.NewGuid();
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},
                      {"id":"save","type":"SaveTelemetry","settings":{"fields":{"heatIndex":"temp * 1.1","note":"hum"}}},
                      {"id":"end","type":"Collect"}],
             "links":[{"from":"in","to":"save"},{"from":"save","to":"end"}]}
            """);

        var outcome = await RunAsync(workflow, device, """{"temp":20}""", Performing(), message: new MessageContext(messageId, "t", received, null));

        Assert.True(outcome.Succeeded, outcome.Failure?.Error);
        Assert.Equal(["temp"], Assert.Single(_collector.At("end")).Fields.Keys);
        await using var db = _db.CreateDbContext();
        var point = await db.ComputedTelemetry.SingleAsync();
        Assert.Equal((device.Id, received, messageId, "save"), (point.DeviceId, point.At, point.MessageId, point.NodeId));
        Assert.Equal(22.0, JsonNode.Parse(point.Fields)!["heatIndex"]!.GetValue<double>(), 9);
        Assert.Null(JsonNode.Parse(point.Fields)!["note"]);
        Assert.Equal(["heatIndex"], await db.FieldValues.Select(v => v.Name).ToListAsync());
    }

    [Fact]
    public async Task When_every_field_gives_nothing_nothing_is_stored_and_the_item_goes_on()
    {
        var device = await AddDeviceAsync("Silent");
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"save","type":"SaveTelemetry","settings":{"fields":{"x":"missing"}}},{"id":"end","type":"Collect"}],
             "links":[{"from":"in","to":"save"},{"from":"save","to":"end"}]}
            """);
        var effects = new RecordedEffects();

        var outcome = await RunAsync(workflow, device, """{"temp":20}""", effects);

        Assert.True(outcome.Succeeded);
        Assert.Empty(effects.Effects);
        Assert.Single(_collector.At("end"));
    }

    [Fact]
    public async Task A_run_repeated_for_the_same_message_stores_its_point_once_and_another_message_stores_another()
    {
        var device = await AddDeviceAsync("Crashy");
        var workflow = Compile(Compute);
        var message = Guid.NewGuid();
        var other = Guid.NewGuid();

        await RunAsync(workflow, device, """{"temp":10,"hum":50}""", Performing(), source: message);
        await RunAsync(workflow, device, """{"temp":10,"hum":50}""", Performing(), source: message); // after a crash, before the position moved
        await RunAsync(workflow, device, """{"temp":11,"hum":50}""", Performing(), source: other);

        await using var db = _db.CreateDbContext();
        var keys = await db.ComputedTelemetry.OrderBy(c => c.Id).Select(c => c.EffectKey).ToListAsync();
        Assert.Equal([$"{message:N}/save", $"{other:N}/save"], keys);
    }

    private WorkflowCompiler Compiler() =>
        new(TestActions.Catalog(_collector, new SetAttributeAction(), new SaveTelemetryAction()), Languages, _services);

    private CompiledWorkflow Compile(string json)
    {
        var (graph, errors) = WorkflowGraph.Read(JsonNode.Parse(json));
        Assert.Empty(errors);
        var (workflow, problems) = Compiler().Compile(graph!);
        Assert.Empty(problems);
        return workflow!;
    }

    private PerformingEffects Performing() => new(_services);

    private async Task<RunOutcome> RunAsync(
        CompiledWorkflow workflow, Device? device, string fields, IEffectSink effects, Guid? workflowId = null, MessageContext? message = null,
        Guid? source = null, IReadOnlyDictionary<string, object?>? attributes = null)
    {
        var context = device is null ? null
            : new DeviceContext(device.Id, device.Name, device.Key, device.EntityId, null, null, attributes ?? DeviceAttributeReader.None);
        return await WorkflowExecutor.RunAsync(
            workflow,
            WorkflowItem.FromJson(JsonNode.Parse(fields)!.AsObject(), context, message, trigger: message is null ? "test" : "message"),
            new RunContext(Guid.NewGuid(), workflowId ?? Guid.NewGuid(), 1, effects, new MemoryNodeState(), _clock, default) { Trace = true, SourceId = source });
    }

    private static string Sorted(JsonObject json) => new JsonObject(json.OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))).ToJsonString();

    private async Task<int> CountAsync<T>(Func<IoTRoutes.Core.Storage.AppDbContext, IQueryable<T>> table) where T : class
    {
        await using var db = _db.CreateDbContext();
        return await table(db).IgnoreQueryFilters().CountAsync();
    }

    private async Task<Device> AddDeviceAsync(string name)
    {
        var device = new Device
        {
            Id = Guid.CreateVersion7(), Name = name, Key = $"k{Guid.NewGuid():N}", SecretHash = "", EntityId = RootEntity.Id, CreatedAt = _clock.GetUtcNow(),
        };
        await using var db = _db.CreateDbContext();
        db.Devices.Add(device);
        await db.SaveChangesAsync();
        return device;
    }
}
