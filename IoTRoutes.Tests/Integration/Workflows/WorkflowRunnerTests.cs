using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration.Workflows;

/// <summary>A published workflow runs on real MQTT traffic: the issue's example, end to end, with mosquitto_pub.</summary>
public abstract class WorkflowRunnerTests(IoTRoutesApp app)
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task A_message_over_the_threshold_raises_exactly_one_alert_a_second_updates_it_and_what_came_before_publishing_is_not_run()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Lab sensor");
        var topic = $"devices/{device.Key}/telemetry";
        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, topic, """{"temp":50}"""); // before the workflow
        await Eventually.GetAsync(async () => (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/messages"))!.Count > 0 ? "stored" : null, "the first message stored");

        var created = await api.PostAsJsonAsync("/api/v1/workflows", JsonNode.Parse($$$"""
            {"name": "Hot rooms {{{Guid.NewGuid():N}}}", "definition": {
              "nodes": [
                {"id": "in",    "type": "OnMessage",  "settings": {"exchangeType": "Telemetry"}},
                {"id": "hot",   "type": "Filter",     "settings": {"condition": "temp > 30"}},
                {"id": "alert", "type": "RaiseAlert", "settings": {"alertType": "HighTemperature", "severity": "Major",
                                                                   "message": "{{ device.name }} is at {{ temp }} °C"}}],
              "links": [{"from": "in", "to": "hot"}, {"from": "hot", "fromPort": "true", "to": "alert"}]}}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { })).StatusCode);

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, topic, """{"temp":20}""");
        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, topic, """{"temp":35}""");
        var first = await Eventually.GetAsync(() => OpenAlertAsync(api, device.Id, count: 1), "one alert raised");
        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, topic, """{"temp":36.5}""");
        var second = await Eventually.GetAsync(() => OpenAlertAsync(api, device.Id, count: 2), "the same alert updated");

        Assert.Equal(first["id"]!.GetValue<Guid>(), second["id"]!.GetValue<Guid>());
        Assert.Equal("HighTemperature", second["type"]!.GetValue<string>());
        Assert.Equal($"{device.Name} is at 36.5 °C", second["message"]!.GetValue<string>());
        var all = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?deviceId={device.Id}&state=Active,Acknowledged,Cleared"))!["items"]!.AsArray();
        Assert.Single(all);

        // The three messages sent after publishing ran, the filter let two through, none is waiting.
        var runtime = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!["runtime"]!;
        var nodes = runtime["nodes"]!.AsArray().ToDictionary(n => n!["nodeId"]!.GetValue<string>(), n => n!);
        Assert.Equal(0, runtime["waiting"]!.GetValue<long>());
        Assert.Equal(3, nodes["in"]["in"]!.GetValue<long>());
        Assert.Equal((2, 1), (nodes["hot"]["out"]!["true"]!.GetValue<long>(), nodes["hot"]["out"]!["false"]!.GetValue<long>()));
        Assert.Equal(2, nodes["alert"]["in"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_run_that_fails_is_recorded_with_its_node_error_and_input_and_listed_with_the_workflow()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Mode sensor");
        var created = await api.PostAsJsonAsync("/api/v1/workflows", JsonNode.Parse($$$"""
            {"name": "Mode check {{{Guid.NewGuid():N}}}", "definition": {
              "nodes": [{"id": "in", "type": "OnMessage"}, {"id": "check", "type": "Filter", "settings": {"condition": "mode"}},
                        {"id": "log", "type": "Log", "settings": {"message": "{{ mode }}"}}],
              "links": [{"from": "in", "to": "check"}, {"from": "check", "fromPort": "true", "to": "log"}]}}
            """));
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { })).StatusCode);

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"mode":"eco"}""");
        var runs = await Eventually.GetAsync(async () =>
        {
            var list = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/workflows/{id}/runs"))!;
            return list.Count > 0 ? list : null;
        }, "the failed run recorded");
        var run = await api.GetFromJsonAsync<JsonObject>($"/api/v1/runs/{runs[0]!["id"]!.GetValue<Guid>()}");

        var listed = Assert.Single(runs)!;
        Assert.False(listed["succeeded"]!.GetValue<bool>());
        Assert.Equal(("check", device.Id), (listed["failedNode"]!.GetValue<string>(), listed["deviceId"]!.GetValue<Guid>()));
        Assert.Equal((device.Name, device.Name), (listed["deviceName"]!.GetValue<string>(), run!["deviceName"]!.GetValue<string>()));
        Assert.Contains("not true or false", listed["error"]!.GetValue<string>());
        Assert.Equal(["in", "check"], run!["trace"]!["path"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("eco", run["trace"]!["input"]!["fields"]!["mode"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/runs/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task Device_connections_and_disconnections_over_mqtt_run_their_workflows_once_each()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Door sensor");
        // Only this device: the other tests' devices connect too.
        await PublishWorkflowAsync(api, device.Id, "OnDeviceConnected", "Connected", "{{ device.name }} connected over {{ protocol }}");
        await PublishWorkflowAsync(api, device.Id, "OnDeviceDisconnected", "Disconnected", "{{ device.name }} left: {{ reason }} (connected: {{ connected }})");

        for (var i = 0; i < 2; i++)
        {
            await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"open":true}""");
        }

        var alerts = await Eventually.GetAsync(async () =>
        {
            var items = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?deviceId={device.Id}"))!["items"]!.AsArray();
            return items.Count == 2 && items.All(a => a!["count"]!.GetValue<int>() == 2) ? items.ToDictionary(a => a!["type"]!.GetValue<string>(), a => a!) : null;
        }, "both workflows ran twice");

        Assert.Equal($"{device.Name} connected over 3.1.1", alerts["Connected"]["message"]!.GetValue<string>());
        Assert.StartsWith($"{device.Name} left: ", alerts["Disconnected"]["message"]!.GetValue<string>());
        Assert.EndsWith("(connected: false)", alerts["Disconnected"]["message"]!.GetValue<string>());
    }

    private static async Task PublishWorkflowAsync(HttpClient api, Guid deviceId, string trigger, string alertType, string message)
    {
        var alert = new JsonObject { ["alertType"] = alertType, ["severity"] = "Warning", ["message"] = message };
        var created = await api.PostAsJsonAsync("/api/v1/workflows", new JsonObject
        {
            ["name"] = $"{alertType} {Guid.NewGuid():N}",
            ["definition"] = new JsonObject
            {
                ["nodes"] = new JsonArray(new JsonObject { ["id"] = "in", ["type"] = trigger, ["settings"] = new JsonObject { ["deviceIds"] = new JsonArray(deviceId.ToString()) } }, new JsonObject { ["id"] = "alert", ["type"] = "RaiseAlert", ["settings"] = alert }),
                ["links"] = new JsonArray(new JsonObject { ["from"] = "in", ["to"] = "alert" }),
            },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var published = await api.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { });
        Assert.True(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync());
    }

    private static async Task<JsonObject?> OpenAlertAsync(HttpClient api, Guid deviceId, int count)
    {
        var items = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?deviceId={deviceId}"))!["items"]!.AsArray();
        return items.Count == 1 && items[0]!["count"]!.GetValue<int>() == count ? items[0]!.AsObject() : null;
    }

    private static async Task<CreatedDeviceBody> CreateDeviceAsync(HttpClient api, string name)
    {
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)] });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
    }
}

public sealed class SqliteWorkflowRunnerTests(SqliteApp app) : WorkflowRunnerTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlWorkflowRunnerTests(PostgreSqlApp app) : WorkflowRunnerTests(app), IClassFixture<PostgreSqlApp>;
