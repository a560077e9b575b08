using System.Net;
using System.Net.Http.Json;
using IoTRoutes.Core.Communicators.MqttBridge;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Tests.Integration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Communicators.MqttBridge;

/// <summary>The app's own bridge host and intake: a message from an external mosquitto is stored for the device.</summary>
public sealed class MqttBridgeIntakeTests(SqliteApp app, MosquittoFixture fixture) : IClassFixture<SqliteApp>, IClassFixture<MosquittoFixture>
{
    private readonly IoTRoutesApp _app = app.Started();
    private readonly MosquittoBroker _broker = fixture.Broker;

    [Fact]
    public async Task A_bridged_message_is_stored_for_its_device_and_one_for_an_unknown_key_is_dropped()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var created = await api.PostAsJsonAsync("/api/v1/devices", new { name = $"Bridged {Guid.NewGuid():N}"[..16] });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var device = (await created.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
        var host = _app.Services.GetRequiredService<MqttBridgeHost>();
        var id = Guid.NewGuid();
        var bridge = await host.StartAsync(id, _broker.Settings(new MqttBridgeMapping
        {
            Direction = MqttBridgeDirection.Inbound, Filter = "plant/+/telemetry", Topic = "devices/{1}/telemetry",
        }), _broker.Secrets);
        try
        {
            await Eventually.GetAsync(() => Task.FromResult(bridge.State.Status == MqttBridgeStatus.Connected ? bridge.State : null), "the bridge connected");

            await _broker.PublishAsync($"plant/{device.Key}/telemetry", """{"temp":19.5}""");
            await _broker.PublishAsync("plant/no-such-device/telemetry", "{}");

            var stored = await _app.EventuallyAsync(async () =>
            {
                await using var db = await _app.CreateDbContextAsync();
                return await db.Messages.AsNoTracking().SingleOrDefaultAsync(m => m.DeviceId == device.Id);
            }, "the bridged message stored");
            Assert.Equal(($"devices/{device.Key}/telemetry", """{"temp":19.5}""", 1),
                (stored.Topic, System.Text.Encoding.UTF8.GetString(stored.Payload), stored.QualityOfService));
            var state = await Eventually.GetAsync(() => Task.FromResult(bridge.State.Dropped == 1 ? bridge.State : null), "the unknown device's message dropped");
            Assert.Contains("no device has the key 'no-such-device'", state.LastDrop);
        }
        finally
        {
            await host.StopAsync(id);
        }
    }
}
