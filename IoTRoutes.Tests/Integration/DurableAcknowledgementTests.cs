using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTRoutes.Tests.Integration;

/// <summary>
/// A QoS 1/2 publish is acknowledged only once stored, and waiting for that does not stop the broker from reading the
/// device's next publishes (which is what lets many messages share one commit). The database is held by a second
/// connection's write lock, the way a long checkpoint or a slow disk would hold it.
/// </summary>
public sealed class DurableAcknowledgementTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task Acknowledgements_wait_for_the_commit_while_the_next_publishes_are_read()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Pipelined sensor");
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);
        var intake = _app.Services.GetRequiredService<MessageIntake>();

        Task<MqttClientPublishResult>[] publishes;
        await using (var blocker = new SqliteConnection($"Data Source={Path.Combine(_app.DataDirectory, "iotroutes.db")};Pooling=false"))
        {
            await blocker.OpenAsync();
            await using (var begin = blocker.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE"; // the write lock: the intake's INSERTs wait for it
                await begin.ExecuteNonQueryAsync();
            }

            publishes = Enumerable.Range(0, 6)
                .Select(i => client.PublishAsync(Mqtt.Message($"devices/{device.Key}/telemetry", $$"""{"i":{{i}}}""",
                    i == 5 ? MqttQualityOfServiceLevel.ExactlyOnce : MqttQualityOfServiceLevel.AtLeastOnce)))
                .ToArray();

            // All six reach the intake although none is stored: the broker kept reading while the first waited.
            await Eventually.GetAsync(() => Task.FromResult(intake.Unstored == 6 ? "six" : null), "six messages waiting for storage");
            await Task.Delay(300);
            Assert.DoesNotContain(publishes, p => p.IsCompleted); // and none was acknowledged
        } // closing the connection ends its transaction

        var results = await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(results, r => Assert.Equal(MqttClientPublishReasonCode.Success, r.ReasonCode));
        await using var db = await _app.CreateDbContextAsync();
        Assert.Equal(6, await db.Messages.CountAsync(m => m.DeviceId == device.Id));
        Assert.Equal(0, intake.Unstored);
    }
}
