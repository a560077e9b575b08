using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Core.Messaging.Commands;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;

namespace IoTRoutes.Tests.Integration;

/// <summary>Commands from the API to real MQTT clients, and their lifecycle: pending, sent, delivered, replied, expired.</summary>
public sealed class CommandsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Theory]
    [InlineData("commands", "-1")]
    [InlineData("commands", "0")]
    [InlineData("commands", "100000")]
    [InlineData("connections", "-1")]
    [InlineData("connections", "501")]
    public async Task A_list_limit_out_of_range_gets_a_validation_problem_as_the_messages_list_does(string list, string limit)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync($"Limits {list} {limit}");

        var response = await api.GetAsync($"/api/v1/devices/{device.Id}/{list}?limit={limit}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>())!;
        Assert.Equal(["limit must be between 1 and 500."], problem.Errors!["limit"]);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/v1/devices/{device.Id}/{list}?limit=500")).StatusCode);
    }

    [Fact]
    public async Task A_connected_device_receives_the_command_acknowledges_it_and_replies()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Valve");
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);
        var received = new TaskCompletionSource<MqttApplicationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        await client.SubscribeAsync($"devices/{device.Key}/commands/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);

        var command = await SendAsync(api, device.Id, new { name = "open", payload = new { percent = 40 } });

        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal($"devices/{device.Key}/commands/{command.Id}", message.Topic);
        using (var envelope = JsonDocument.Parse(message.ConvertPayloadToString()))
        {
            Assert.Equal("open", envelope.RootElement.GetProperty("name").GetString());
            Assert.Equal(40, envelope.RootElement.GetProperty("payload").GetProperty("percent").GetInt32());
            Assert.Equal(command.Id, envelope.RootElement.GetProperty("id").GetGuid());
        }

        Assert.Equal($"devices/{device.Key}/commands/{command.Id}/reply", message.ResponseTopic);
        Assert.Equal(command.Id.ToByteArray(), message.CorrelationData);
        var delivered = await WaitForStatusAsync(api, device.Id, command.Id, "Delivered");
        Assert.NotNull(delivered.SentAt);
        Assert.NotNull(delivered.DeliveredAt);

        var ack = await client.PublishAsync(Mqtt.Message(message.ResponseTopic, """{"ok":true}"""));
        Assert.Equal(MqttClientPublishReasonCode.Success, ack.ReasonCode);
        var replied = await api.GetFromJsonAsync<CommandBody>($"/api/v1/devices/{device.Id}/commands/{command.Id}");
        Assert.Equal("Replied", replied!.Status); // recorded before the PUBACK
        Assert.Equal("""{"ok":true}""", replied.Reply);
        Assert.Equal(IoTRoutesApp.AdminEmail, replied.CreatedBy);
    }

    [Fact]
    public async Task A_command_for_an_offline_device_waits_and_is_delivered_when_it_subscribes()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Sleepy valve");

        var command = await SendAsync(api, device.Id, new { name = "close" });
        Assert.Equal("Pending", command.Status);
        Assert.Null(command.SentAt);

        // A real 3.1.1 peer: mosquitto_sub waits for one command and prints it.
        var (exitCode, output) = await MosquittoSubOneAsync(device, "mqttv311");
        Assert.True(exitCode == 0, output);
        Assert.Contains($"devices/{device.Key}/commands/{command.Id}", output);
        Assert.Contains("\"name\":\"close\"", output);
        await WaitForStatusAsync(api, device.Id, command.Id, "Delivered");
    }

    [Fact]
    public async Task A_command_whose_device_left_before_acknowledging_goes_out_again_at_the_next_connection()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Crashing valve");
        var first = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        first.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false; // crashes before it acknowledges
            received.TrySetResult(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        await first.SubscribeAsync($"devices/{device.Key}/commands/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        var command = await SendAsync(api, device.Id, new { name = "close" });
        await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("Sent", (await api.GetFromJsonAsync<CommandBody>($"/api/v1/devices/{device.Id}/commands/{command.Id}"))!.Status);

        first.Dispose();
        await WaitForStatusAsync(api, device.Id, command.Id, "Pending");
        var (exitCode, output) = await MosquittoSubOneAsync(device, "mqttv5");

        Assert.True(exitCode == 0, output);
        Assert.Contains($"devices/{device.Key}/commands/{command.Id}", output);
        await WaitForStatusAsync(api, device.Id, command.Id, "Delivered");
    }

    [Fact]
    public async Task A_command_nobody_takes_expires()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Gone valve");

        var command = await SendAsync(api, device.Id, new { name = "ping", expiresInSeconds = 1 });

        var expired = await WaitForStatusAsync(api, device.Id, command.Id, "Expired", TimeSpan.FromSeconds(20));
        Assert.Null(expired.DeliveredAt);
    }

    [Fact]
    public async Task A_device_may_not_reply_to_another_devices_command_nor_publish_commands()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var target = await api.CreateDeviceAsync("Target");
        var other = await api.CreateDeviceAsync("Other");
        var command = await SendAsync(api, target.Id, new { name = "reboot" });
        using var otherClient = await Mqtt.ConnectAsync(_app.MqttPort, other.Key, other.Secret);

        var foreignReply = await otherClient.PublishAsync(Mqtt.Message($"devices/{target.Key}/commands/{command.Id}/reply", "{}"));
        var ownFakeReply = await otherClient.PublishAsync(Mqtt.Message($"devices/{other.Key}/commands/{command.Id}/reply", "{}"));
        var selfCommand = await otherClient.PublishAsync(Mqtt.Message($"devices/{other.Key}/commands/{Guid.NewGuid()}", "{}"));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, foreignReply.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, ownFakeReply.ReasonCode); // accepted, but it answers nothing of its own
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, selfCommand.ReasonCode);
        var unchanged = await api.GetFromJsonAsync<CommandBody>($"/api/v1/devices/{target.Id}/commands/{command.Id}");
        Assert.Equal("Pending", unchanged!.Status);
    }

    [Fact]
    public async Task Bad_commands_get_clear_errors_and_are_audited_when_sent()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Audited valve");

        var noName = await api.PostAsJsonAsync($"/api/v1/devices/{device.Id}/commands", new { payload = 1 });
        var tooLong = await api.PostAsJsonAsync($"/api/v1/devices/{device.Id}/commands", new { name = "x", expiresInSeconds = 0 });
        var unknown = await api.PostAsJsonAsync($"/api/v1/devices/{Guid.NewGuid()}/commands", new { name = "x" });
        await SendAsync(api, device.Id, new { name = "audited" });

        Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);
        Assert.Contains("name", (await noName.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        Assert.Contains("expiresInSeconds", (await tooLong.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var audit = await api.GetStringAsync("/api/v1/audit?action=Command.Sent");
        Assert.Contains(device.Key, audit);
    }

    [Fact]
    public async Task A_client_user_commands_only_its_own_entitys_devices()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var customer = (await (await admin.PostAsJsonAsync("/api/v1/entities", new { name = $"Customer {Guid.NewGuid():N}", type = "Customer" }))
            .Content.ReadFromJsonAsync<IdBody>())!;
        var platformDevice = await admin.CreateDeviceAsync("Platform valve");
        var ownResponse = await admin.PostAsJsonAsync("/api/v1/devices", new { name = "Customer valve", entityId = customer.Id });
        var ownDevice = (await ownResponse.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
        using var clientUser = await _app.CreateClientForNewUserAsync(customer.Id, IoTRoutes.Core.Security.Permissions.BuiltInRoles.ClientId);

        var foreign = await clientUser.PostAsJsonAsync($"/api/v1/devices/{platformDevice.Id}/commands", new { name = "open" });
        var own = await clientUser.PostAsJsonAsync($"/api/v1/devices/{ownDevice.Id}/commands", new { name = "open" });

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Empty((await admin.GetFromJsonAsync<List<CommandBody>>($"/api/v1/devices/{platformDevice.Id}/commands"))!);
    }

    [Fact]
    public async Task Connections_and_disconnections_are_recorded_with_their_reason()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Recorded");
        using (var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret, MqttProtocolVersion.V311))
        {
            await client.DisconnectAsync();
        }

        var history = await Eventually.GetAsync(async () =>
        {
            var events = await api.GetFromJsonAsync<List<ConnectionEventBody>>($"/api/v1/devices/{device.Id}/connections");
            return events!.Count >= 2 ? events : null;
        }, "the connection history");

        Assert.False(history[0].Connected);
        Assert.Equal("Client disconnected", history[0].Reason);
        Assert.True(history[1].Connected);
        Assert.Equal("3.1.1", history[1].Protocol);
        Assert.StartsWith("127.0.0.1:", history[1].RemoteAddress);
    }

    private Task<(int ExitCode, string Output)> MosquittoSubOneAsync(CreatedDeviceBody device, string protocol) =>
        MosquittoPub.RunToolAsync("mosquitto_sub",
        [
            "-h", "127.0.0.1", "-p", _app.MqttPort.ToString(), "-u", device.Key, "-P", device.Secret, "-V", protocol,
            "-t", $"devices/{device.Key}/commands/#", "-q", "1", "-C", "1", "-W", "15", "-v",
        ]);

    private static async Task<CommandBody> SendAsync(HttpClient api, Guid deviceId, object body)
    {
        var response = await api.PostAsJsonAsync($"/api/v1/devices/{deviceId}/commands", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CommandBody>())!;
    }

    private Task<CommandBody> WaitForStatusAsync(HttpClient api, Guid deviceId, Guid commandId, string status, TimeSpan? timeout = null) =>
        _app.EventuallyAsync(async () =>
        {
            var command = await api.GetFromJsonAsync<CommandBody>($"/api/v1/devices/{deviceId}/commands/{commandId}");
            return command!.Status == status ? command : null;
        }, $"command {commandId} to be {status}", timeout);

    [Fact]
    public async Task A_late_disconnection_returns_only_commands_sent_before_it_to_pending()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Roaming valve");
        var disconnectedAt = DateTimeOffset.UtcNow;
        var toOldConnection = Guid.CreateVersion7();
        var toNewConnection = Guid.CreateVersion7();
        await using (var db = await _app.CreateDbContextAsync())
        {
            db.Commands.AddRange(
                new DeviceCommand { Id = toOldConnection, DeviceId = device.Id, Name = "open", Status = CommandStatus.Sent, CreatedAt = disconnectedAt.AddSeconds(-2), SentAt = disconnectedAt.AddSeconds(-1), ExpiresAt = disconnectedAt.AddHours(1) },
                new DeviceCommand { Id = toNewConnection, DeviceId = device.Id, Name = "close", Status = CommandStatus.Sent, CreatedAt = disconnectedAt.AddSeconds(-2), SentAt = disconnectedAt.AddSeconds(1), ExpiresAt = disconnectedAt.AddHours(1) });
            await db.SaveChangesAsync();
        }

        // The old connection's disconnection, handled after the command went out on the new connection.
        await _app.Services.GetRequiredService<BrokerEvents>().PublishAsync(
            new DeviceDisconnected(Guid.Empty, disconnectedAt, device.Id, device.Key, "old", null, "Session taken over by a new connection with the same client id"), default);

        await using var check = await _app.CreateDbContextAsync();
        var statuses = await check.Commands.Where(c => c.DeviceId == device.Id).ToDictionaryAsync(c => c.Id, c => c.Status);
        Assert.Equal(CommandStatus.Pending, statuses[toOldConnection]);
        Assert.Equal(CommandStatus.Sent, statuses[toNewConnection]);
    }

    [Fact]
    public async Task A_command_on_its_way_when_the_device_subscribes_goes_out_again_when_nobody_took_it()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Racing valve");
        var sentAt = DateTimeOffset.UtcNow;
        var command = Guid.CreateVersion7();
        await using (var db = await _app.CreateDbContextAsync())
        {
            // Sent at the connection, before the device had subscribed: the broker will find nobody to take it.
            db.Commands.Add(new DeviceCommand { Id = command, DeviceId = device.Id, Name = "open", Status = CommandStatus.Sent, CreatedAt = sentAt, SentAt = sentAt, ExpiresAt = sentAt.AddHours(1) });
            await db.SaveChangesAsync();
        }

        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        // The subscription's own send finds the command Sent, not Pending, and leaves it.
        await client.SubscribeAsync($"devices/{device.Key}/commands/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        await _app.Services.GetRequiredService<BrokerEvents>().PublishAsync(new CommandNotConsumed(Guid.Empty, DateTimeOffset.UtcNow, command), default);

        Assert.Equal($"devices/{device.Key}/commands/{command}", await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await WaitForStatusAsync(api, device.Id, command, "Delivered");
    }

    [Fact]
    public async Task A_command_nobody_took_after_the_device_subscribed_stays_pending_rather_than_going_round()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Unsubscribed valve");
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);
        await client.SubscribeAsync($"devices/{device.Key}/commands/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        await client.UnsubscribeAsync($"devices/{device.Key}/commands/#");
        var command = await SendAsync(api, device.Id, new { name = "open" }); // sent after the subscription, taken by nobody

        var pending = await WaitForStatusAsync(api, device.Id, command.Id, "Pending");
        Assert.Null(pending.SentAt);
    }
}
