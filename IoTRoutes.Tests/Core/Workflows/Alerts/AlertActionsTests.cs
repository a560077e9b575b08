using System.Text.Json.Nodes;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using IoTRoutes.Core.Workflows.Triggers;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Workflows.Alerts;

/// <summary>RaiseAlert and ClearAlert compiled and run by the engine: dry runs record, real runs raise and clear on a SQLite file.</summary>
public sealed class AlertActionsTests : IAsyncLifetime
{
    private const string HotRooms = """
        {"nodes":[{"id":"in","type":"OnMessage"},
                  {"id":"alert","type":"RaiseAlert","settings":{"alertType":"HighTemperature","severity":"Critical","message":"{{ device.name }} is at {{ temp }} °C","value":"temp"}}],
         "links":[{"from":"in","to":"alert"}]}
        """;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private SqliteContexts _db = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _db = await SqliteContexts.CreateAsync();
        _services = new ServiceCollection().AddSingleton<TimeProvider>(_clock)
            .AddSingleton(new AlertRaiser(_db, new AlertFeed(), new AlertEvents(Microsoft.Extensions.Logging.Abstractions.NullLogger<AlertEvents>.Instance), _clock)).BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_dry_run_records_the_raise_with_its_rendered_message_and_value_and_raises_nothing()
    {
        var device = await AddDeviceAsync("Lab");
        var effects = new RecordedEffects();

        var outcome = await RunAsync(Compile(HotRooms), device, """{"temp":35.5}""", effects);

        Assert.True(outcome.Succeeded, outcome.Failure?.Error);
        Assert.Equal("out", outcome.Steps!.Single(s => s.NodeId == "alert").Port);
        var effect = Assert.Single(effects.Effects);
        Assert.Equal(("alert", "RaiseAlert", "raise alert HighTemperature (Critical) on Lab"), (effect.NodeId, effect.Kind, effect.Summary));
        Assert.Equal(("HighTemperature", "Critical", "Lab is at 35.5 °C", 35.5),
            (effect.Details["alertType"]!.GetValue<string>(), effect.Details["severity"]!.GetValue<string>(),
             effect.Details["message"]!.GetValue<string>(), effect.Details["value"]!.GetValue<double>()));
        Assert.Equal(0, await AlertCountAsync());
    }

    [Fact]
    public async Task A_real_run_raises_the_alert_a_second_run_updates_it_and_ClearAlert_clears_it()
    {
        var device = await AddDeviceAsync("Kitchen");
        var raise = Compile(HotRooms);
        var clear = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"ok","type":"ClearAlert","settings":{"alertType":"HighTemperature"}}],
             "links":[{"from":"in","to":"ok"}]}
            """);

        var first = await RunAsync(raise, device, """{"temp":31}""", Performing());
        var second = await RunAsync(raise, device, """{"temp":33}""", Performing());

        Assert.True(first.Succeeded && second.Succeeded, first.Failure?.Error ?? second.Failure?.Error);
        await using (var db = _db.CreateDbContext())
        {
            var alert = await db.Alerts.SingleAsync();
            Assert.Equal((2, AlertSeverity.Critical, "Kitchen is at 33 °C", "33", AlertState.Active, "alert"),
                (alert.Count, alert.Severity, alert.Message, alert.LastValue, alert.State, alert.NodeId));
        }

        var cleared = await RunAsync(clear, device, "{}", Performing());

        Assert.True(cleared.Succeeded, cleared.Failure?.Error);
        await using (var db = _db.CreateDbContext())
        {
            Assert.Equal(AlertState.Cleared, (await db.Alerts.SingleAsync()).State);
        }
    }

    [Fact]
    public async Task A_dry_run_of_ClearAlert_records_it_and_leaves_the_open_alert_open()
    {
        var device = await AddDeviceAsync("Cellar");
        await RunAsync(Compile(HotRooms), device, """{"temp":40}""", Performing());
        var effects = new RecordedEffects();

        var outcome = await RunAsync(Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"ok","type":"ClearAlert","settings":{"alertType":"HighTemperature"}}],"links":[{"from":"in","to":"ok"}]}
            """), device, "{}", effects);

        Assert.True(outcome.Succeeded);
        Assert.Equal([("ok", "ClearAlert", "HighTemperature", $"clear alert HighTemperature on {device.Name}")],
            effects.Effects.Select(e => (e.NodeId, e.Kind, e.Details["alertType"]!.GetValue<string>(), e.Summary)));
        await using var db = _db.CreateDbContext();
        Assert.Equal(AlertState.Active, (await db.Alerts.SingleAsync()).State);
    }

    [Fact]
    public async Task An_item_without_a_device_is_a_node_error_naming_what_is_missing()
    {
        var outcome = await RunAsync(Compile(HotRooms), null, """{"temp":50}""", Performing());

        Assert.False(outcome.Succeeded);
        Assert.Equal("alert", outcome.Failure!.NodeId);
        Assert.Contains("needs an item about a device", outcome.Failure.Error);
        Assert.Equal(0, await AlertCountAsync());
    }

    [Fact]
    public async Task Without_a_message_the_alert_type_is_the_message_and_the_severity_is_Major()
    {
        var device = await AddDeviceAsync("Plain");
        var effects = new RecordedEffects();

        await RunAsync(Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"RaiseAlert","settings":{"alertType":"DoorOpen"}}],"links":[{"from":"in","to":"a"}]}
            """), device, "{}", effects);

        var details = Assert.Single(effects.Effects).Details;
        Assert.Equal(("DoorOpen", "Major", null), (details["message"]!.GetValue<string>(), details["severity"]!.GetValue<string>(), details["value"]));
    }

    [Theory]
    [InlineData("""{}""", "alertType", "Required.")]
    [InlineData("""{"alertType":"  "}""", "alertType", "Required.")]
    [InlineData("""{"alertType":"Hot","severity":"Catastrophic"}""", "severity", "One of Critical, Major")]
    [InlineData("""{"alertType":"Hot","message":"{% if x %}"}""", "message", "no tags")]
    [InlineData("""{"alertType":"Hot","value":"temp > 3"}""", "value", "one field name")]
    public void Invalid_settings_are_problems_at_the_setting(string settings, string setting, string message)
    {
        var (graph, errors) = WorkflowGraph.Read(JsonNode.Parse($$"""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"RaiseAlert","settings":{{settings}}}],"links":[{"from":"in","to":"a"}]}
            """));
        Assert.Empty(errors);

        var (workflow, problems) = Compiler().Compile(graph!);

        Assert.Null(workflow);
        var problem = Assert.Single(problems);
        Assert.Equal(("a", setting), (problem.NodeId, problem.Setting));
        Assert.Contains(message, problem.Message);
    }

    private WorkflowCompiler Compiler() =>
        new(new ActionCatalog([new OnMessageTrigger(), new RaiseAlertAction(), new ClearAlertAction()]), TestLanguages.FieldsOnly, _services);

    private CompiledWorkflow Compile(string json)
    {
        var (graph, errors) = WorkflowGraph.Read(JsonNode.Parse(json));
        Assert.Empty(errors);
        var (workflow, problems) = Compiler().Compile(graph!);
        Assert.Empty(problems);
        return workflow!;
    }

    private PerformingEffects Performing() => new(_services);

    private async Task<RunOutcome> RunAsync(CompiledWorkflow workflow, Device? device, string fields, IEffectSink effects)
    {
        var context = device is null ? null : new DeviceContext(device.Id, device.Name, device.Key, device.EntityId, null, null, new Dictionary<string, object?>());
        return await WorkflowExecutor.RunAsync(
            workflow,
            WorkflowItem.FromJson(JsonNode.Parse(fields)!.AsObject(), context, trigger: "test"),
            new RunContext(Guid.NewGuid(), Guid.NewGuid(), 1, effects, new MemoryNodeState(), _clock, default) { Trace = true });
    }

    private async Task<int> AlertCountAsync()
    {
        await using var db = _db.CreateDbContext();
        return await db.Alerts.CountAsync();
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
