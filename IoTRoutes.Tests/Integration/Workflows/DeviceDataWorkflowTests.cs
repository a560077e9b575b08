using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration.Workflows;

/// <summary>A published workflow sets an attribute and stores a computed field from real MQTT traffic; both show through the API.</summary>
public sealed class DeviceDataWorkflowTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task A_message_sets_the_devices_attribute_and_stores_a_computed_field_beside_its_own_without_a_new_message()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Greenhouse");
        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsync($"/api/v1/devices/{device.Id}/attributes/factor",
            JsonContent.Create(JsonValue.Create(1.5)))).StatusCode);
        var created = await api.PostAsJsonAsync("/api/v1/workflows", JsonNode.Parse($$$"""
            {"name": "Heat index {{{Guid.NewGuid():N}}}", "definition": {
              "nodes": [
                {"id": "in",   "type": "OnMessage"},
                {"id": "set",  "type": "SetAttribute",  "settings": {"attributes": {"lastTemp": "temp", "state": "if(temp > 30, 'hot', 'ok')"} } },
                {"id": "save", "type": "SaveTelemetry", "settings": {"fields": {"heatIndex": "temp * device.attributes.factor"} } }],
              "links": [{"from": "in", "to": "set"}, {"from": "in", "to": "save"}]} }
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { })).StatusCode);

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":32}""");

        var attributes = await Eventually.GetAsync(async () =>
        {
            var list = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/attributes"))!;
            return list.Count == 3 ? list.ToDictionary(a => a!["key"]!.GetValue<string>(), a => a!.AsObject()) : null;
        }, "the attributes set by the workflow");
        Assert.Equal(32.0, attributes["lastTemp"]["value"]!.GetValue<double>());
        Assert.Equal("hot", attributes["state"]["value"]!.GetValue<string>());
        Assert.Equal($"workflow {id}", attributes["state"]["updatedBy"]!.GetValue<string>());
        Assert.Equal(IoTRoutesApp.AdminEmail, attributes["factor"]["updatedBy"]!.GetValue<string>());

        var series = await Eventually.GetAsync(async () =>
        {
            var list = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/telemetry"))!;
            return list.Count == 2 ? list.ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!["points"]!.AsArray()) : null;
        }, "the computed field beside the message's");
        var temp = Assert.Single(series["temp"])!;
        var heat = Assert.Single(series["heatIndex"])!;
        Assert.Equal(48.0, heat["value"]!.GetValue<double>());
        Assert.Equal(temp["at"]!.GetValue<DateTimeOffset>(), heat["at"]!.GetValue<DateTimeOffset>());
        var latest = await Eventually.GetAsync(async () =>
        {
            var list = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/telemetry/latest"))!;
            return list.FirstOrDefault(f => f!["name"]!.GetValue<string>() == "heatIndex");
        }, "the computed field among the latest values");
        Assert.Equal(48.0, latest!["value"]!.GetValue<double>());

        // Stored as telemetry, not as a message: the device still has its one message, and the workflow ran once.
        Assert.Single((await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/messages"))!);
        var nodes = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!["runtime"]!["nodes"]!.AsArray()
            .ToDictionary(n => n!["nodeId"]!.GetValue<string>(), n => n!);
        Assert.Equal((1, 1), (nodes["set"]["in"]!.GetValue<long>(), nodes["save"]["in"]!.GetValue<long>()));
    }

    private static async Task<CreatedDeviceBody> CreateDeviceAsync(HttpClient api, string name)
    {
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)] });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
    }
}
