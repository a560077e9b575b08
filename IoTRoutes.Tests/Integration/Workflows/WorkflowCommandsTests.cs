using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Infrastructure;
using MQTTnet;
using static IoTRoutes.Tests.Integration.Workflows.WorkflowsApiTests;

namespace IoTRoutes.Tests.Integration.Workflows;

/// <summary>
/// Workflows that act on devices, end to end: a message published with mosquitto_pub crosses a condition and the device
/// receives a command over MQTT, now if it is connected or when it subscribes; a Script node in the same run. On SQLite
/// and PostgreSQL (the commands' new columns and unique effect key come with each provider's migration).
/// </summary>
public abstract class WorkflowCommandsTests(IoTRoutesApp app)
{
    private readonly IoTRoutesApp _app = app.Started();

    // Each workflow is limited to its test's device: every workflow of the app sees every device otherwise.
    private static string Cooling(Guid deviceId) => $$$"""
        {"nodes":[{"id":"in","type":"OnMessage","settings":{"exchangeType":"Telemetry","deviceIds":["{{{deviceId}}}"]}},
                  {"id":"hot","type":"Filter","settings":{"condition":"temp > 30"}},
                  {"id":"cmd","type":"SendCommand","settings":{"name":"cool","payload":{"setpoint":"temp - 10","mode":"'eco'"},"expiresInSeconds":300}}],
         "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"cmd"}]}
        """;

    [Fact]
    public async Task A_connected_device_receives_the_command_a_message_over_the_threshold_sends_and_the_list_names_the_workflow()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Cooled room");
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);
        var received = new TaskCompletionSource<MqttApplicationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        await client.SubscribeAsync($"devices/{device.Key}/commands/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        var name = $"Cooling {Guid.NewGuid():N}";
        var id = await PublishAsync(api, name, Cooling(device.Id));

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":20}""");
        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":35}""");

        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(20));
        using (var envelope = JsonDocument.Parse(message.ConvertPayloadToString()))
        {
            Assert.Equal("cool", envelope.RootElement.GetProperty("name").GetString());
            Assert.Equal("""{"setpoint":25,"mode":"eco"}""", envelope.RootElement.GetProperty("payload").GetRawText());
        }

        // Both messages ran and only the hot one went through: one command, the workflow's, delivered.
        await Eventually.GetAsync(async () =>
        {
            var runtime = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!["runtime"]!;
            var nodes = runtime["nodes"]!.AsArray().ToDictionary(n => n!["nodeId"]!.GetValue<string>(), n => n!);
            return nodes["in"]["in"]!.GetValue<long>() == 2 && nodes["cmd"]["in"]!.GetValue<long>() == 1 ? runtime : null;
        }, "both messages run");
        var command = Assert.Single((await api.GetFromJsonAsync<List<CommandBody>>($"/api/v1/devices/{device.Id}/commands"))!);
        Assert.Equal($"devices/{device.Key}/commands/{command.Id}", message.Topic);
        Assert.Equal(($"Workflow {name}", id), (command.CreatedBy, command.WorkflowId));
        Assert.Equal(command.ExpiresAt, command.CreatedAt.AddSeconds(300));
        await Eventually.GetAsync(async () =>
            (await api.GetFromJsonAsync<CommandBody>($"/api/v1/devices/{device.Id}/commands/{command.Id}"))!.Status == "Delivered" ? "yes" : null, "the command acknowledged");
    }

    [Fact]
    public async Task An_offline_device_receives_the_workflows_command_when_it_subscribes_with_mosquitto_sub()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Sleeping room");
        await PublishAsync(api, $"Cooling offline {Guid.NewGuid():N}", Cooling(device.Id));

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":40}""");
        // The workflow may run while mosquitto_pub is still connected: the command is then published to a session that
        // has not subscribed, comes back as not consumed, and waits as Pending like one made while the device was away.
        var pending = await Eventually.GetAsync(async () =>
            (await api.GetFromJsonAsync<List<CommandBody>>($"/api/v1/devices/{device.Id}/commands"))!.SingleOrDefault(c => c.Status == "Pending"), "the command recorded and waiting");
        Assert.Equal("Pending", pending.Status);

        var (exitCode, output) = await MosquittoPub.RunToolAsync("mosquitto_sub",
        [
            "-h", "127.0.0.1", "-p", _app.MqttPort.ToString(), "-u", device.Key, "-P", device.Secret, "-V", "mqttv311",
            "-t", $"devices/{device.Key}/commands/#", "-q", "1", "-C", "1", "-W", "15", "-v",
        ]);

        Assert.True(exitCode == 0, output);
        Assert.Contains($"devices/{device.Key}/commands/{pending.Id}", output);
        Assert.Contains("\"payload\":{\"setpoint\":30,\"mode\":\"eco\"}", output);
    }

    [Fact]
    public async Task A_script_computes_what_the_command_sends_and_a_script_with_a_syntax_error_is_not_published()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Scripted room");
        var definition = new JsonObject
        {
            ["nodes"] = new JsonArray(
                new JsonObject { ["id"] = "in", ["type"] = "OnMessage", ["settings"] = new JsonObject { ["deviceIds"] = new JsonArray(device.Id.ToString()) } },
                new JsonObject
                {
                    ["id"] = "f", ["type"] = "Script",
                    ["settings"] = new JsonObject { ["script"] = "function process(item, device) { if (item.tempF === undefined) return null; item.temp = (item.tempF - 32) * 5 / 9; item.who = device.name; return item; }" },
                },
                JsonNode.Parse("""{"id":"cmd","type":"SendCommand","settings":{"name":"show","payload":{"celsius":"temp","for":"who"}}}""")),
            ["links"] = JsonNode.Parse("""[{"from":"in","to":"f"},{"from":"f","to":"cmd"}]"""),
        };
        var id = await PublishAsync(api, $"Scripted {Guid.NewGuid():N}", definition.ToJsonString());

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"humidity":40}""");
        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"tempF":212}""");

        var command = await Eventually.GetAsync(async () =>
            (await api.GetFromJsonAsync<List<CommandBody>>($"/api/v1/devices/{device.Id}/commands"))!.SingleOrDefault(), "the command recorded");
        Assert.Equal(("show", $$"""{"celsius":100,"for":"{{device.Name}}"}"""), (command.Name, command.Payload));

        definition["nodes"]![1]!["settings"]!["script"] = "function process(item) { return item";
        var saved = await api.PutAsJsonAsync($"/api/v1/workflows/{id}", new { revision = 1, definition });
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        var refused = await api.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = Assert.Single((await refused.Content.ReadFromJsonAsync<JsonObject>())!["problems"]!.AsArray())!;
        Assert.Equal(("f", "script"), (problem["nodeId"]!.GetValue<string>(), problem["setting"]!.GetValue<string>()));
        Assert.StartsWith("Syntax error at line 1", problem["message"]!.GetValue<string>());
    }

    private static async Task<Guid> PublishAsync(HttpClient api, string name, string definition)
    {
        var id = await CreateAsync(api, name, definition);
        var published = await api.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { });
        Assert.True(published.StatusCode == HttpStatusCode.OK, await published.Content.ReadAsStringAsync());
        return id;
    }
}

public sealed class SqliteWorkflowCommandsTests(SqliteApp app) : WorkflowCommandsTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlWorkflowCommandsTests(PostgreSqlApp app) : WorkflowCommandsTests(app), IClassFixture<PostgreSqlApp>;
