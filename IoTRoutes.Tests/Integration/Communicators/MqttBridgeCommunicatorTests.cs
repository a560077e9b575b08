using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators.MqttBridge;
using IoTRoutes.Tests.Communicators.MqttBridge;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Integration.Communicators;

/// <summary>
/// An MQTT bridge communicator made through the API connects by itself to a real mosquitto, stores what arrives there
/// as a device's message, and stops when disabled: no restart of IoTRoutes.
/// </summary>
public sealed class MqttBridgeCommunicatorTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task A_bridge_created_through_the_API_stores_messages_from_the_external_broker_until_it_is_disabled()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await (await api.PostAsJsonAsync("/api/v1/devices", new { name = $"Bridged {Guid.NewGuid():N}"[..20] })).Content.ReadFromJsonAsync<CreatedDeviceBody>();
        var body = new JsonObject
        {
            ["name"] = $"Site 1 {Guid.NewGuid():N}"[..15], ["kind"] = "MqttBridge", ["host"] = "127.0.0.1", ["port"] = broker.Port,
            ["username"] = MosquittoBroker.User, ["password"] = broker.Password,
            ["mappings"] = new JsonArray(new JsonObject { ["direction"] = "Inbound", ["filter"] = "site1/+/telemetry", ["topic"] = "devices/{1}/telemetry", ["qos"] = 1 }),
        };
        var created = await api.PostAsJsonAsync("/api/v1/communicators", body);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var supervisor = _app.Services.GetRequiredService<MqttBridgeSupervisor>();
        await Eventually.GetAsync(() => Task.FromResult(supervisor.StateOf(id) is { Status: MqttBridgeStatus.Connected } s ? s : null), "the bridge connected");

        await broker.PublishAsync($"site1/{device!.Key}/telemetry", """{"temp":21.5}""");

        var message = await Eventually.GetAsync(async () => (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/messages"))!.FirstOrDefault(m => m!["state"]!.GetValue<string>() == "Processed"), "the bridged message decoded");
        Assert.Equal($"devices/{device.Key}/telemetry", message!["topic"]!.GetValue<string>());
        Assert.Equal("""{"temp":21.5}""", message["payload"]!.GetValue<string>());

        body["enabled"] = false;
        body.Remove("password"); // kept
        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsJsonAsync($"/api/v1/communicators/{id}", body)).StatusCode);
        await Eventually.GetAsync(() => Task.FromResult(supervisor.StateOf(id) is null ? "stopped" : null), "the bridge stopped");
    }
}
