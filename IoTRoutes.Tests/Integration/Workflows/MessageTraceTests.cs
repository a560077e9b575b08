using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static IoTRoutes.Tests.Integration.Workflows.WorkflowsApiTests;

namespace IoTRoutes.Tests.Integration.Workflows;

/// <summary>
/// Stored messages through workflows: a dry run of the draft on a stored message, and a message's trace (recorded runs,
/// replays). Every test keeps its workflows and devices in an entity of its own, so the other tests' workflows never
/// match its messages.
/// </summary>
public sealed class MessageTraceTests(WorkflowsApp app) : IClassFixture<WorkflowsApp>
{
    private readonly WorkflowsApp _app = (WorkflowsApp)app.Started();

    private const string NotifyAll = """
        {"nodes":[{"id":"in","type":"OnMessage"},{"id":"tell","type":"Notify","settings":{"to":"ops"}}],"links":[{"from":"in","to":"tell"}]}
        """;

    [Fact]
    public async Task A_dry_run_of_a_stored_message_gets_the_item_the_runner_got_and_a_test_case_can_name_the_message()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var entity = await CreateEntityAsync(admin, "Replayed");
        var profile = await CreateJsonProfileAsync(admin);
        var device = await CreateDeviceAsync(admin, "Decoded sensor", entity, profile.Id);
        var id = await CreateInAsync(admin, entity, "Seen by the runner", NotifyAll);
        await PublishAsync(admin, id);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/workflows/{id}/debug", null)).StatusCode);

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/up", """{"t":21.5,"ignored":true}""");
        var run = await RecordedRunAsync(admin, id);
        var messageId = run["messageId"]!.GetValue<Guid>();
        var seen = run["trace"]!["steps"]![0]!["input"]!;

        var response = await admin.PostAsJsonAsync($"/api/v1/workflows/{id}/test", new { messageId });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var dry = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var given = dry["steps"]![0]!["input"]!;
        Assert.True(JsonNode.DeepEquals(seen, given), $"runner: {seen.ToJsonString()}\ndry run: {given.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"temperature":21.5}"""), given["fields"]), given.ToJsonString());
        Assert.Equal((device.Name, profile.Name), (given["device"]!["name"]!.GetValue<string>(), given["device"]!["profile"]!.GetValue<string>()));
        Assert.Equal((messageId, $"devices/{device.Key}/up"), (given["message"]!["id"]!.GetValue<Guid>(), given["message"]!["topic"]!.GetValue<string>()));
        Assert.Equal([("tell", "Notify")], dry["effects"]!.AsArray().Select(e => (e!["nodeId"]!.GetValue<string>(), e["kind"]!.GetValue<string>())));

        // A test case names the same message; one with both an input and a message id is refused at its place.
        var withCase = await admin.PutAsJsonAsync($"/api/v1/workflows/{id}", new
        {
            revision = 1, definition = Graph(NotifyAll),
            testCases = new object[] { new { name = "stored", messageId, expected = new { outputs = new { tell = new { temperature = 21.5 } } } } },
        });
        var both = await admin.PutAsJsonAsync($"/api/v1/workflows/{id}", new
        {
            revision = 2, definition = Graph(NotifyAll), testCases = new object[] { new { name = "both", messageId, input = new { temperature = 1 } } },
        });
        Assert.Equal(HttpStatusCode.OK, withCase.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Contains("testCases[0].input", (await both.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        var results = (await (await admin.PostAsync($"/api/v1/workflows/{id}/tests/run", null)).Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.True(results.Single()!["passed"]!.GetValue<bool>(), results.ToJsonString());
    }

    [Fact]
    public async Task A_message_outside_the_callers_entity_is_not_found_and_the_input_is_fields_or_a_message_never_both()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var east = await CreateEntityAsync(admin, "East");
        var west = await CreateEntityAsync(admin, "West");
        var eastDevice = await CreateDeviceAsync(admin, "East sensor", east);
        var westDevice = await CreateDeviceAsync(admin, "West sensor", west);
        var workflow = await CreateInAsync(admin, west, "West only", NotifyAll);
        using var westOperator = await _app.CreateClientForNewUserAsync(west, BuiltInRoles.OperatorId);
        await MosquittoPub.PublishAsync(_app.MqttPort, eastDevice.Key, eastDevice.Secret, $"devices/{eastDevice.Key}/telemetry", """{"temp":1}""");
        await MosquittoPub.PublishAsync(_app.MqttPort, westDevice.Key, westDevice.Secret, $"devices/{westDevice.Key}/telemetry", """{"temp":2}""");
        var eastMessage = await StoredMessageAsync(admin, eastDevice.Id);
        var westMessage = await StoredMessageAsync(admin, westDevice.Id);

        var hidden = await westOperator.PostAsJsonAsync($"/api/v1/workflows/{workflow}/test", new { messageId = eastMessage });
        var missing = await westOperator.PostAsJsonAsync($"/api/v1/workflows/{workflow}/test", new { messageId = Guid.NewGuid() });
        var hiddenTrace = await westOperator.GetAsync($"/api/v1/messages/{eastMessage}/trace");
        var own = await westOperator.PostAsJsonAsync($"/api/v1/workflows/{workflow}/test", new { messageId = westMessage });
        var both = await westOperator.PostAsJsonAsync($"/api/v1/workflows/{workflow}/test", new { messageId = westMessage, input = new { temp = 1 } });
        var neither = await westOperator.PostAsJsonAsync($"/api/v1/workflows/{workflow}/test", new { });
        var withDevice = await westOperator.PostAsJsonAsync($"/api/v1/workflows/{workflow}/test", new { messageId = westMessage, deviceId = westDevice.Id });

        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal($"There is no message {eastMessage}.", (await hidden.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hiddenTrace.StatusCode);
        Assert.Equal("application/problem+json", hiddenTrace.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(2.0, (await own.Content.ReadFromJsonAsync<JsonObject>())!["steps"]![0]!["input"]!["fields"]!["temp"]!.GetValue<double>());
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Contains("messageId", (await both.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        Assert.Equal(HttpStatusCode.BadRequest, neither.StatusCode);
        Assert.Contains("input", (await neither.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        Assert.Equal(HttpStatusCode.BadRequest, withDevice.StatusCode);
        Assert.Contains("deviceId", (await withDevice.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
    }

    [Fact]
    public async Task Reading_a_message_through_workflows_needs_Messages_View_besides_Workflows_View()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var entity = await CreateEntityAsync(admin, "Viewers");
        var device = await CreateDeviceAsync(admin, "Viewed sensor", entity);
        var workflow = await CreateInAsync(admin, entity, "Viewed", NotifyAll);
        var role = await admin.PostAsJsonAsync("/api/v1/roles", new { name = $"Workflow viewer {Guid.NewGuid():N}", grants = new { Workflows = "View" } });
        role.EnsureSuccessStatusCode();
        using var viewer = await _app.CreateClientForNewUserAsync(entity, (await role.Content.ReadFromJsonAsync<IdBody>())!.Id);
        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":3}""");
        var message = await StoredMessageAsync(admin, device.Id);

        var trace = await viewer.GetAsync($"/api/v1/messages/{message}/trace");
        var dry = await viewer.PostAsJsonAsync($"/api/v1/workflows/{workflow}/test", new { messageId = message });
        var fields = await viewer.PostAsJsonAsync($"/api/v1/workflows/{workflow}/test", new { input = new { temp = 3 } });

        Assert.Equal(HttpStatusCode.Forbidden, trace.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, dry.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fields.StatusCode);
    }

    [Fact]
    public async Task The_trace_of_a_message_whose_run_failed_is_the_recorded_run()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var entity = await CreateEntityAsync(admin, "Failing");
        var device = await CreateDeviceAsync(admin, "Mode sensor", entity);
        var id = await CreateInAsync(admin, entity, "Mode check", """
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"check","type":"Filter","settings":{"condition":"mode"}},{"id":"tell","type":"Notify","settings":{"to":"ops"}}],
             "links":[{"from":"in","to":"check"},{"from":"check","fromPort":"true","to":"tell"}]}
            """);
        await PublishAsync(admin, id);
        using var operatorApi = await _app.CreateClientForNewUserAsync(entity, BuiltInRoles.OperatorId);

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"mode":"eco"}""");
        var run = await RecordedRunAsync(admin, id);
        var response = await operatorApi.GetAsync($"/api/v1/messages/{run["messageId"]!.GetValue<Guid>()}/trace");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var trace = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(device.Id, trace["deviceId"]!.GetValue<Guid>());
        var handled = Assert.Single(trace["workflows"]!.AsArray())!;
        Assert.Equal((id, false, 1), (handled["workflowId"]!.GetValue<Guid>(), handled["replay"]!.GetValue<bool>(), handled["version"]!.GetValue<int>()));
        Assert.Equal(run["id"]!.GetValue<Guid>(), handled["runId"]!.GetValue<Guid>());
        Assert.False(handled["succeeded"]!.GetValue<bool>());
        Assert.Equal(["in", "check"], handled["path"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("check", handled["failure"]!["nodeId"]!.GetValue<string>());
        Assert.Contains("not true or false", handled["failure"]!["error"]!.GetValue<string>());
        Assert.Equal("eco", handled["failure"]!["input"]!["fields"]!["mode"]!.GetValue<string>());
        Assert.Null(handled["steps"]); // not traced: debug mode was off
    }

    [Fact]
    public async Task The_trace_of_a_message_run_without_debug_replays_the_version_active_when_it_arrived()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var entity = await CreateEntityAsync(admin, "Replays");
        var device = await CreateDeviceAsync(admin, "Hot sensor", entity);
        const string hot = """
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"hot","type":"Filter","settings":{"condition":"temp > 30"}},{"id":"tell","type":"Notify","settings":{"to":"ops"}}],
             "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"tell"}]}
            """;
        var id = await CreateInAsync(admin, entity, "Hot rooms", hot);
        await PublishAsync(admin, id);
        var notified = _app.Services.GetRequiredService<NotifyLog>();
        var before = notified.Performed;

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":35}""");
        await Eventually.GetAsync(() => Task.FromResult(notified.Performed > before ? "notified" : null), "the run's notification");
        var message = await StoredMessageAsync(admin, device.Id);
        // Version 2 would not let 35 through: the trace must replay version 1, active when the message arrived.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/v1/workflows/{id}", new { revision = 1, definition = Graph(hot.Replace("temp > 30", "temp > 100")) })).StatusCode);
        await PublishAsync(admin, id);

        var trace = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/messages/{message}/trace"))!;

        Assert.Empty((await admin.GetFromJsonAsync<JsonArray>($"/api/v1/workflows/{id}/runs"))!);
        var handled = Assert.Single(trace["workflows"]!.AsArray())!;
        Assert.Equal((id, true, 1), (handled["workflowId"]!.GetValue<Guid>(), handled["replay"]!.GetValue<bool>(), handled["version"]!.GetValue<int>()));
        Assert.Null(handled["runId"]);
        Assert.True(handled["succeeded"]!.GetValue<bool>());
        Assert.Equal(["in", "hot", "tell"], handled["path"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("true", handled["steps"]!.AsArray().Single(s => s!["nodeId"]!.GetValue<string>() == "hot")!["port"]!.GetValue<string>());
        Assert.Equal(["Notify"], handled["effects"]!.AsArray().Select(e => e!["kind"]!.GetValue<string>()));
        Assert.Contains("node state is read as it is now", handled["note"]!.GetValue<string>());
        Assert.Equal(before + 1, notified.Performed); // the replay notified no one
    }

    [Fact]
    public async Task A_message_no_workflow_matched_has_an_empty_trace()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var entity = await CreateEntityAsync(admin, "Unmatched");
        var watched = await CreateDeviceAsync(admin, "Watched", entity);
        var other = await CreateDeviceAsync(admin, "Unwatched", entity);
        var id = await CreateInAsync(admin, entity, "Watched only", $$$"""
            {"nodes":[{"id":"in","type":"OnMessage","settings":{"deviceIds":["{{{watched.Id}}}"]}},{"id":"tell","type":"Notify","settings":{"to":"ops"}}],
             "links":[{"from":"in","to":"tell"}]}
            """);
        await PublishAsync(admin, id);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/workflows/{id}/debug", null)).StatusCode);
        using var operatorApi = await _app.CreateClientForNewUserAsync(entity, BuiltInRoles.OperatorId);

        await MosquittoPub.PublishAsync(_app.MqttPort, other.Key, other.Secret, $"devices/{other.Key}/telemetry", """{"temp":1}""");
        await MosquittoPub.PublishAsync(_app.MqttPort, watched.Key, watched.Secret, $"devices/{watched.Key}/telemetry", """{"temp":2}""");
        var run = await RecordedRunAsync(admin, id); // the runner has passed both messages: the unwatched one came first
        var unmatched = (await operatorApi.GetFromJsonAsync<JsonObject>($"/api/v1/messages/{await StoredMessageAsync(admin, other.Id)}/trace"))!;
        var matched = (await operatorApi.GetFromJsonAsync<JsonObject>($"/api/v1/messages/{run["messageId"]!.GetValue<Guid>()}/trace"))!;

        Assert.Empty(unmatched["workflows"]!.AsArray());
        var handled = Assert.Single(matched["workflows"]!.AsArray())!;
        Assert.Equal((false, true), (handled["replay"]!.GetValue<bool>(), handled["succeeded"]!.GetValue<bool>()));
        Assert.Equal(["in", "tell"], handled["steps"]!.AsArray().Select(s => s!["nodeId"]!.GetValue<string>())); // traced in debug mode
        Assert.Equal(HttpStatusCode.NotFound, (await operatorApi.GetAsync($"/api/v1/messages/{Guid.NewGuid()}/trace")).StatusCode);
    }

    private async Task<JsonObject> RecordedRunAsync(HttpClient api, Guid workflowId)
    {
        var runs = await _app.EventuallyAsync(async () =>
        {
            var list = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/workflows/{workflowId}/runs"))!;
            return list.Count > 0 ? list : null;
        }, "a recorded run", TimeSpan.FromSeconds(30));
        return (await api.GetFromJsonAsync<JsonObject>($"/api/v1/runs/{Assert.Single(runs)!["id"]!.GetValue<Guid>()}"))!;
    }

    private static async Task<Guid> StoredMessageAsync(HttpClient api, Guid deviceId)
    {
        var messages = await Eventually.GetAsync(async () =>
        {
            var list = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{deviceId}/messages"))!;
            return list.Count > 0 ? list : null;
        }, "the message stored");
        return Assert.Single(messages)!["id"]!.GetValue<Guid>();
    }

    private static async Task PublishAsync(HttpClient api, Guid workflowId)
    {
        var response = await api.PostAsJsonAsync($"/api/v1/workflows/{workflowId}/publish", new { });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task<Guid> CreateInAsync(HttpClient api, Guid entityId, string name, string definition)
    {
        var response = await api.PostAsJsonAsync("/api/v1/workflows", new { name, entityId, definition = Graph(definition) });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<IdBody>())!.Id;
    }

    private static async Task<CreatedDeviceBody> CreateDeviceAsync(HttpClient api, string name, Guid entityId, Guid? profileId = null)
    {
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name = Unique(name), entityId, profileId });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
    }

    /// <summary>A profile whose one JSON format reads <c>$.t</c> as <c>temperature</c> (nothing else).</summary>
    private static async Task<(Guid Id, string Name)> CreateJsonProfileAsync(HttpClient api)
    {
        var format = await api.PostIdAsync("/api/v1/formats", new JsonObject
        {
            ["name"] = Unique("Json"), ["kind"] = "Json", ["exchangeType"] = "Telemetry", ["topicPattern"] = "#",
            ["settings"] = JsonNode.Parse("""{"fields":[{"path":"$.t","name":"temperature","unit":"°C"}]}"""),
        });
        var name = Unique("Climate");
        return (await api.PostIdAsync("/api/v1/profiles", new { name, formatIds = new[] { format } }), name);
    }

    private static async Task<Guid> CreateEntityAsync(HttpClient api, string name) =>
        await api.PostIdAsync("/api/v1/entities", new { name = Unique(name), type = "Customer" });

    private static string Unique(string name) => $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)];
}
