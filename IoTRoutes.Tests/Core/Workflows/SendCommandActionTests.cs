using System.Text.Json.Nodes;
using IoTRoutes.Core;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Commands;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Profiles;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>
/// SendCommand compiled and run by the engine over the platform's real services on a SQLite file (brokers not started,
/// so a command stays pending): dry runs record and send nothing, real runs record once per event and node.
/// </summary>
public sealed class SendCommandActionTests : IAsyncLifetime
{
    private const string Cooling = """
        {"nodes":[{"id":"in","type":"OnMessage"},
                  {"id":"cmd","type":"SendCommand","settings":{"name":"set-temperature","payload":{"setpoint":"temp - 2","mode":"'eco'","fan":3,"boost":false,"unit":"'°C'"},"expiresInSeconds":600}},
                  {"id":"end","type":"Collect"},{"id":"oops","type":"Collect"}],
         "links":[{"from":"in","to":"cmd"},{"from":"cmd","to":"end"},{"from":"cmd","fromPort":"error","to":"oops"}]}
        """;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));
    private readonly TestActions.Collector _collector = new();
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "iotroutes-commands", Guid.NewGuid().ToString("N"));
    private SqliteContexts _db = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _db = await SqliteContexts.CreateAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["IoTRoutes:DataDirectory"] = _dataDirectory }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddIoTRoutesCore(configuration);
        services.AddSingleton<IDbContextFactory<AppDbContext>>(_db);
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<ICallerProvider>(new FixedCaller());
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _db.DisposeAsync();
        if (Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_dry_run_records_the_command_with_its_payload_and_the_envelope_the_device_would_get_and_sends_nothing()
    {
        var device = await AddDeviceAsync("Fridge");
        var effects = new RecordedEffects();

        var outcome = await RunAsync(Compile(Cooling), device, """{"temp":7.5}""", effects);

        Assert.True(outcome.Succeeded, outcome.Failure?.Error);
        var effect = Assert.Single(effects.Effects);
        Assert.Equal("send command set-temperature to Fridge", effect.Summary);
        Assert.Equal(("cmd", "SendCommand", "set-temperature", 600L), (effect.NodeId, effect.Kind, effect.Details["name"]!.GetValue<string>(), effect.Details["expiresInSeconds"]!.GetValue<long>()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"setpoint":5.5,"mode":"eco","fan":3,"boost":false,"unit":"°C"}"""), effect.Details["payload"]), effect.Details.ToJsonString());
        var encoded = effect.Details["encoded"]!;
        Assert.Equal("JSON envelope", encoded["format"]!.GetValue<string>());
        Assert.Contains("\"name\":\"set-temperature\",\"payload\":{\"setpoint\":5.5,\"mode\":\"eco\",\"fan\":3,\"boost\":false,\"unit\":\"°C\"}", encoded["text"]!.GetValue<string>());
        var item = Assert.Single(_collector.At("end"));
        Assert.True(item.Fields.ContainsKey(SendCommandAction.CommandIdField));
        Assert.Null(item.Field(SendCommandAction.CommandIdField));
        Assert.Equal(7.5, item.Field("temp"));
        Assert.Equal(0, await CommandCountAsync());
    }

    [Fact]
    public async Task A_dry_run_encodes_with_the_profiles_command_format_and_a_payload_it_cannot_encode_goes_to_the_error_port()
    {
        var device = await AddDeviceAsync("Valve", await ValveProfileAsync());
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},
                      {"id":"cmd","type":"SendCommand","settings":{"name":"open","payload":{"percent":"level"}}},
                      {"id":"end","type":"Collect"},{"id":"oops","type":"Collect"}],
             "links":[{"from":"in","to":"cmd"},{"from":"cmd","to":"end"},{"from":"cmd","fromPort":"error","to":"oops"}]}
            """);
        var effects = new RecordedEffects();

        await RunAsync(workflow, device, """{"level":40}""", effects);
        await RunAsync(workflow, device, """{"level":"full"}""", effects);

        var encoded = Assert.Single(effects.Effects).Details["encoded"]!;
        Assert.Equal(("0128", 2), (encoded["hex"]!.GetValue<string>(), encoded["bytes"]!.GetValue<int>()));
        Assert.StartsWith("Valve command", encoded["format"]!.GetValue<string>());
        var failed = Assert.Single(_collector.At("oops"));
        Assert.Contains("Command open cannot be sent to Valve: Format Valve command", (string)failed.Field("error")!);
        Assert.Equal(0, await CommandCountAsync());
    }

    [Fact]
    public async Task A_real_run_records_a_pending_command_of_the_workflow_and_the_same_event_run_again_answers_the_same_command()
    {
        var device = await AddDeviceAsync("Freezer");
        var workflow = Compile(Cooling);
        var workflowId = Guid.NewGuid();
        var message = Guid.CreateVersion7();

        var first = await RunAsync(workflow, device, """{"temp":-10}""", Performing(), workflowId, message);
        var repeated = await RunAsync(workflow, device, """{"temp":-10}""", Performing(), workflowId, message);
        var next = await RunAsync(workflow, device, """{"temp":-12}""", Performing(), workflowId, Guid.CreateVersion7());

        Assert.True(first.Succeeded && repeated.Succeeded && next.Succeeded, first.Failure?.Error ?? repeated.Failure?.Error ?? next.Failure?.Error);
        var ids = _collector.At("end").Select(i => Guid.Parse((string)i.Field(SendCommandAction.CommandIdField)!)).ToList();
        Assert.Equal(3, ids.Count);
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ids[0], ids[2]);
        await using var db = _db.CreateDbContext();
        var commands = await db.Commands.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync();
        Assert.Equal(2, commands.Count);
        var command = commands.Single(c => c.Id == ids[0]);
        Assert.Equal(("set-temperature", CommandStatus.Pending, device.Id, workflowId, $"{message:N}/cmd", (Guid?)null),
            (command.Name, command.Status, command.DeviceId, command.WorkflowId, command.EffectKey, command.CreatedByUserId));
        Assert.Equal($"Workflow {workflowId}", command.CreatedBy); // no such workflow stored here: its id names it
        Assert.Equal("""{"setpoint":-12,"mode":"eco","fan":3,"boost":false,"unit":"°C"}""", System.Text.Encoding.UTF8.GetString(command.Payload));
        Assert.Equal(_clock.GetUtcNow().AddSeconds(600), command.ExpiresAt);
    }

    [Fact]
    public async Task The_same_event_run_twice_at_once_records_one_command()
    {
        var device = await AddDeviceAsync("Chiller");
        var workflow = Compile(Cooling);
        var workflowId = Guid.NewGuid();
        var message = Guid.CreateVersion7();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            await RunAsync(workflow, device, """{"temp":3}""", Performing(), workflowId, message))));

        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Failure?.Error));
        Assert.Single(_collector.At("end").Select(i => i.Field(SendCommandAction.CommandIdField)).Distinct());
        Assert.Equal(1, await CommandCountAsync());
    }

    [Fact]
    public async Task A_command_for_a_device_that_is_gone_or_an_item_without_a_device_goes_to_the_error_port()
    {
        var gone = new Device { Id = Guid.NewGuid(), Name = "Ghost", Key = "ghost", SecretHash = "", EntityId = RootEntity.Id };
        var workflow = Compile(Cooling);

        await RunAsync(workflow, gone, """{"temp":1}""", Performing(), Guid.NewGuid(), Guid.CreateVersion7());
        await RunAsync(workflow, null, """{"temp":1}""", Performing(), Guid.NewGuid(), Guid.CreateVersion7());

        Assert.Equal(["Device Ghost no longer exists: command set-temperature not sent.", "SendCommand needs an item about a device; this one (test) has none."],
            _collector.At("oops").Select(i => (string)i.Field("error")!));
        Assert.Equal(0, await CommandCountAsync());
    }

    [Fact]
    public async Task A_payload_over_the_command_limit_goes_to_the_error_port()
    {
        var device = await AddDeviceAsync("Display");
        var workflow = Compile("""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"cmd","type":"SendCommand","settings":{"name":"show","payload":{"text":"text"}}},{"id":"oops","type":"Collect"}],
             "links":[{"from":"in","to":"cmd"},{"from":"cmd","fromPort":"error","to":"oops"}]}
            """);

        await RunAsync(workflow, device, new JsonObject { ["text"] = new string('x', CommandRules.MaxPayloadBytes) }.ToJsonString(), new RecordedEffects());

        Assert.Contains($"A command payload has at most {CommandRules.MaxPayloadBytes} bytes.", (string)Assert.Single(_collector.At("oops")).Field("error")!);
    }

    [Theory]
    [InlineData("""{}""", "name", "Required.")]
    [InlineData("""{"name":"open/all"}""", "name", "no control characters, '/'")]
    [InlineData("""{"name":"open","payload":[1]}""", "payload", "An object of payload field")]
    [InlineData("""{"name":"open","payload":{"level":"temp -"}}""", "payload.level", "Not a valid expression")]
    [InlineData("""{"name":"open","expiresInSeconds":0}""", "expiresInSeconds", "Between 1 and 2592000")]
    public void Invalid_settings_are_problems_at_the_setting(string settings, string setting, string message)
    {
        var (graph, errors) = WorkflowGraph.Read(JsonNode.Parse($$"""
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"cmd","type":"SendCommand","settings":{{settings}}}],"links":[{"from":"in","to":"cmd"}]}
            """));
        Assert.Empty(errors);

        var (workflow, problems) = Compiler().Compile(graph!);

        Assert.Null(workflow);
        var problem = Assert.Single(problems);
        Assert.Equal(("cmd", setting), (problem.NodeId, problem.Setting));
        Assert.Contains(message, problem.Message);
    }

    private WorkflowCompiler Compiler() => new(TestActions.Catalog(_collector, new SendCommandAction()),
        new WorkflowLanguages(new IoTRoutes.Core.Workflows.Languages.NCalcExpressions(), new IoTRoutes.Core.Workflows.Languages.LiquidTemplates()), _services);

    private CompiledWorkflow Compile(string json)
    {
        var (graph, errors) = WorkflowGraph.Read(JsonNode.Parse(json));
        Assert.Empty(errors);
        var (workflow, problems) = Compiler().Compile(graph!);
        Assert.Empty(problems);
        return workflow!;
    }

    private PerformingEffects Performing() => new(_services);

    private async Task<RunOutcome> RunAsync(CompiledWorkflow workflow, Device? device, string fields, IEffectSink effects, Guid? workflowId = null, Guid? sourceId = null)
    {
        var context = device is null ? null : new DeviceContext(device.Id, device.Name, device.Key, device.EntityId, device.ProfileId, null, new Dictionary<string, object?>());
        return await WorkflowExecutor.RunAsync(
            workflow,
            WorkflowItem.FromJson(JsonNode.Parse(fields)!.AsObject(), context, trigger: "test"),
            new RunContext(Guid.NewGuid(), workflowId ?? Guid.NewGuid(), 1, effects, new MemoryNodeState(), _clock, default) { SourceId = sourceId });
    }

    private async Task<int> CommandCountAsync()
    {
        await using var db = _db.CreateDbContext();
        return await db.Commands.CountAsync();
    }

    /// <summary>A profile whose Command format is a binary layout: the command (1 open, 2 close) then a percentage.</summary>
    private async Task<Guid> ValveProfileAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        var formats = scope.ServiceProvider.GetRequiredService<FormatService>();
        async Task<Guid> CreateAsync(string json)
        {
            var (definition, errors) = FormatRequestReader.Read(JsonNode.Parse(json)!.AsObject());
            Assert.Empty(errors);
            var created = await formats.CreateAsync(definition!, default);
            Assert.True(created.Outcome == ChangeOutcome.Done, created.FirstError);
            return created.Id!.Value;
        }

        var uplink = await CreateAsync("""{"name":"Valve reading","kind":"CayenneLpp","exchangeType":"Telemetry","topicPattern":"#","settings":{}}""");
        var command = await CreateAsync("""
            {"name":"Valve command","kind":"Binary","exchangeType":"Command",
             "fields":[{"name":"command","type":"U8","enum":{"1":"open","2":"close"}},{"name":"percent","type":"U8"}]}
            """);
        var profile = await scope.ServiceProvider.GetRequiredService<ProfileService>().CreateAsync(new ProfileRequest("Valves", [uplink, command]), default);
        Assert.True(profile.Outcome == ChangeOutcome.Done, profile.FirstError);
        return profile.Id!.Value;
    }

    private async Task<Device> AddDeviceAsync(string name, Guid? profileId = null)
    {
        var device = new Device
        {
            Id = Guid.CreateVersion7(), Name = name, Key = $"k{Guid.NewGuid():N}", SecretHash = "", EntityId = RootEntity.Id, CreatedAt = _clock.GetUtcNow(),
            ProfileId = profileId,
        };
        await using var db = _db.CreateDbContext();
        db.Devices.Add(device);
        await db.SaveChangesAsync();
        return device;
    }
}
