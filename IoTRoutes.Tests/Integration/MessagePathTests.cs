using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTRoutes.Tests.Integration;

/// <summary>The path of a message, device to API, on a real broker socket and a real database (run on each provider).</summary>
public abstract class MessagePathTests
{
    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly IoTRoutesApp _app;

    protected MessagePathTests(IoTRoutesApp app)
    {
        _app = app.Started();
    }

    [Fact]
    public async Task Qos1_publish_is_acknowledged_only_after_the_message_is_stored()
    {
        var device = await CreateDeviceAsync("Durable sensor");
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);

        var result = await client.PublishAsync(Mqtt.Message($"devices/{device.Key}/telemetry", """{"temp":21.5}"""));

        Assert.Equal(MqttClientPublishReasonCode.Success, result.ReasonCode);
        // The PUBACK is back: the row must already be in the database, before any further waiting.
        await using var db = await _app.CreateDbContextAsync();
        var stored = await db.Messages.SingleAsync(m => m.DeviceId == device.Id);
        Assert.Equal("""{"temp":21.5}""", System.Text.Encoding.UTF8.GetString(stored.Payload));
        Assert.Equal($"devices/{device.Key}/telemetry", stored.Topic);
        Assert.Equal(1, stored.QualityOfService);
    }

    [Fact]
    public async Task A_message_from_mosquitto_pub_is_read_back_through_the_api_as_processed()
    {
        var device = await CreateDeviceAsync("Mosquitto sensor");

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":21.5}""");

        var message = await WaitForMessageAsync(device, m => m.State == "Processed");
        Assert.Equal("""{"temp":21.5}""", message.Payload);
        Assert.Equal(device.Key, message.DeviceKey);
        Assert.Equal("Mosquitto sensor", message.DeviceName);
        Assert.Null(message.RejectionReason);
        Assert.NotNull(message.ProcessedAt);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task A_wrong_secret_or_an_unknown_key_is_refused_with_bad_user_name_or_password(MqttProtocolVersion version)
    {
        var device = await CreateDeviceAsync("Locked sensor");

        var (client1, wrongSecret) = await Mqtt.TryConnectAsync(_app.MqttPort, device.Key, "not-the-secret", version);
        var (client2, unknownKey) = await Mqtt.TryConnectAsync(_app.MqttPort, "nosuchdevice", device.Secret, version);

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, wrongSecret.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, unknownKey.ResultCode);
        Assert.False(client1.IsConnected);
        Assert.False(client2.IsConnected);
        client1.Dispose();
        client2.Dispose();
    }

    [Fact]
    public async Task Mosquitto_pub_with_a_wrong_secret_fails_and_stores_nothing()
    {
        var device = await CreateDeviceAsync("Mosquitto locked");

        var (exitCode, output) = await MosquittoPub.RunAsync(_app.MqttPort, device.Key, "wrong-secret", $"devices/{device.Key}/telemetry", "{}");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("bad user name or password", output, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await ListMessagesAsync(device));
    }

    [Fact]
    public async Task Publishing_under_another_devices_topic_is_refused_with_not_authorized_on_mqtt5()
    {
        var device = await CreateDeviceAsync("Nosy sensor");
        var other = await CreateDeviceAsync("Victim sensor");
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);

        var foreign = await client.PublishAsync(Mqtt.Message($"devices/{other.Key}/telemetry", "{}"));
        var outside = await client.PublishAsync(Mqtt.Message("broadcast/all", "{}"));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, foreign.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, outside.ReasonCode);
        Assert.Contains($"devices/{device.Key}/", foreign.ReasonString);
        Assert.Empty(await ListMessagesAsync(device));
        await AssertNothingStoredUnderAsync(other);
    }

    [Fact]
    public async Task Publishing_under_another_devices_topic_is_dropped_on_mqtt311_and_the_connection_stays_up()
    {
        var device = await CreateDeviceAsync("Old firmware");
        var other = await CreateDeviceAsync("Old victim");
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret, MqttProtocolVersion.V311);

        await client.PublishAsync(Mqtt.Message($"devices/{other.Key}/telemetry", "{}"));
        await client.PublishAsync(Mqtt.Message($"devices/{device.Key}/telemetry", """{"ok":true}"""));

        Assert.True(client.IsConnected);
        var own = await WaitForMessageAsync(device, m => m.State == "Processed");
        Assert.Equal("""{"ok":true}""", own.Payload);
        Assert.Single(await ListMessagesAsync(device));
        await AssertNothingStoredUnderAsync(other);
    }

    [Fact]
    public async Task A_payload_over_the_limit_is_refused_and_kept_as_rejected_without_its_payload()
    {
        var device = await CreateDeviceAsync("Chatty camera");
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);
        var tooBig = new string('x', 256 * 1024 + 1);

        var result = await client.PublishAsync(Mqtt.Message($"devices/{device.Key}/image", tooBig));

        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, result.ReasonCode);
        var kept = Assert.Single(await ListMessagesAsync(device));
        Assert.Equal("Rejected", kept.State);
        Assert.Equal(256 * 1024 + 1, kept.PayloadSize);
        Assert.Equal("", kept.Payload);
        Assert.Contains("exceeds the 262144-byte limit", kept.RejectionReason);
    }

    [Fact]
    public async Task Malformed_json_is_kept_as_rejected_with_a_readable_reason_and_the_parser_text()
    {
        var device = await CreateDeviceAsync("Broken firmware");
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);

        var result = await client.PublishAsync(Mqtt.Message($"devices/{device.Key}/telemetry", """{"temp": 21.5"""));

        Assert.Equal(MqttClientPublishReasonCode.Success, result.ReasonCode); // delivered and kept, then rejected by decoding
        var rejected = await WaitForMessageAsync(device, m => m.State == "Rejected");
        Assert.Equal("""{"temp": 21.5""", rejected.Payload);
        Assert.Equal("Not valid JSON at character 14: the payload ends before its object or array is closed.", rejected.RejectionReason);
        using var api = await _app.CreateAuthenticatedClientAsync();
        var listed = await api.GetFromJsonAsync<JsonElement>($"/api/v1/messages/rejected?deviceId={device.Id}");
        var item = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal(rejected.RejectionReason, item.GetProperty("reason").GetString());
        Assert.Contains("is an invalid end of a number", item.GetProperty("details").GetString()); // the parser's own text
    }

    [Fact]
    public async Task Stats_count_what_was_received_processed_and_rejected()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync("Counted sensor");
        var before = (await api.GetFromJsonAsync<StatsBody>("/api/v1/messages/stats"))!;
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);

        await client.PublishAsync(Mqtt.Message($"devices/{device.Key}/telemetry", """{"a":1}"""));
        await client.PublishAsync(Mqtt.Message($"devices/{device.Key}/telemetry", """{"a":2}"""));
        await client.PublishAsync(Mqtt.Message($"devices/{device.Key}/telemetry", "not json"));
        await Eventually.GetAsync(async () =>
            (await ListMessagesAsync(device)).Count(m => m.State != "Received") == 3 ? "done" : null, "three decoded messages");

        var after = (await api.GetFromJsonAsync<StatsBody>("/api/v1/messages/stats"))!;
        Assert.Equal(before with { Received = before.Received + 3, Processed = before.Processed + 2, Rejected = before.Rejected + 1 }, after);
    }

    [Fact]
    public async Task The_counts_follow_messages_inserted_changed_and_deleted_in_any_number()
    {
        var device = await CreateDeviceAsync("Recounted sensor");
        await using var db = await _app.CreateDbContextAsync();
        db.Messages.AddRange(Enumerable.Range(0, 3).Select(i => new IoTRoutes.Core.Messaging.Message
        {
            Id = Guid.CreateVersion7(), DeviceId = device.Id, Topic = $"devices/{device.Key}/telemetry", Payload = "{}"u8.ToArray(),
            PayloadSize = 2, QualityOfService = 1, ReceivedAt = DateTimeOffset.UtcNow.AddSeconds(i), State = MessageState.Received,
        }));
        await db.SaveChangesAsync();
        var ids = await db.Messages.Where(m => m.DeviceId == device.Id).OrderBy(m => m.ReceivedAt).Select(m => m.Id).ToListAsync();

        await db.Messages.Where(m => m.Id == ids[0] || m.Id == ids[1]).ExecuteUpdateAsync(u => u.SetProperty(m => m.State, MessageState.Processed));
        await db.Messages.Where(m => m.Id == ids[0]).ExecuteDeleteAsync();

        var counts = await db.MessageCounts.Where(c => c.DeviceId == device.Id && c.Count != 0).ToDictionaryAsync(c => c.State, c => c.Count);
        Assert.Equal(new Dictionary<MessageState, long> { [MessageState.Received] = 1, [MessageState.Processed] = 1 }, counts);
    }

    [Fact]
    public async Task Messages_sent_faster_than_the_clock_ticks_are_listed_in_the_order_they_arrived()
    {
        var device = await CreateDeviceAsync("Fast sensor");
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);

        // Pipelined: many arrive within one millisecond (and within SQLite's 100 µs time resolution). As many as the broker's
        // Receive Maximum allows in flight: MQTTnet's client does not hold itself to the one announced in CONNACK.
        await Task.WhenAll(Enumerable.Range(1, 100).Select(i => client.PublishAsync(Mqtt.Message($"devices/{device.Key}/telemetry", $$"""{"n":{{i}}}"""))));

        var listed = await ListMessagesAsync(device, "?limit=100");
        Assert.Equal(Enumerable.Range(1, 100).Reverse().Select(i => $$"""{"n":{{i}}}"""), listed.Select(m => m.Payload));
    }

    [Fact]
    public async Task Device_messages_come_newest_first_within_the_time_window_and_limit()
    {
        var device = await CreateDeviceAsync("Windowed sensor");
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);
        for (var i = 1; i <= 5; i++)
        {
            await client.PublishAsync(Mqtt.Message($"devices/{device.Key}/telemetry", $$"""{"n":{{i}}}"""));
        }

        var all = await ListMessagesAsync(device);
        Assert.Equal(["""{"n":5}""", """{"n":4}""", """{"n":3}""", """{"n":2}""", """{"n":1}"""], all.Select(m => m.Payload));

        var limited = await ListMessagesAsync(device, "?limit=2");
        Assert.Equal(["""{"n":5}""", """{"n":4}"""], limited.Select(m => m.Payload));

        var from = Uri.EscapeDataString(all[3].ReceivedAt.ToString("O"));
        var to = Uri.EscapeDataString(all[1].ReceivedAt.ToString("O"));
        var window = await ListMessagesAsync(device, $"?from={from}&to={to}");
        Assert.Equal(all.Skip(1).Take(3).Select(m => m.Id), window.Select(m => m.Id));

        // The same instants written with another offset select the same messages.
        var plus2 = TimeSpan.FromHours(2);
        var fromLocal = Uri.EscapeDataString(all[3].ReceivedAt.ToOffset(plus2).ToString("O"));
        var toLocal = Uri.EscapeDataString(all[1].ReceivedAt.ToOffset(plus2).ToString("O"));
        var shifted = await ListMessagesAsync(device, $"?from={fromLocal}&to={toLocal}");
        Assert.Equal(window.Select(m => m.Id), shifted.Select(m => m.Id));
    }

    [Fact]
    public async Task A_device_cannot_take_over_the_persistent_session_of_another_device()
    {
        var owner = await CreateDeviceAsync("Session owner");
        var intruder = await CreateDeviceAsync("Session intruder");
        var clientId = $"shared-{Guid.NewGuid():N}";
        var (first, firstResult) = await Mqtt.TryConnectAsync(_app.MqttPort, owner.Key, owner.Secret, clientId: clientId, cleanSession: false, sessionExpirySeconds: 2);
        Assert.Equal(MqttClientConnectResultCode.Success, firstResult.ResultCode);

        var (whileConnected, whileConnectedResult) = await Mqtt.TryConnectAsync(_app.MqttPort, intruder.Key, intruder.Secret, clientId: clientId, cleanSession: false);
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, whileConnectedResult.ResultCode);
        Assert.True(first.IsConnected, "the owner keeps its connection");

        // The owner's session outlives its connection: the id stays the owner's until the session expires.
        await first.DisconnectAsync();
        first.Dispose();
        var (whileKept, whileKeptResult) = await Mqtt.TryConnectAsync(_app.MqttPort, intruder.Key, intruder.Secret, clientId: clientId, cleanSession: false);
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, whileKeptResult.ResultCode);
        whileKept.Dispose();

        // After its 2-second expiry the id may be reused, but the newcomer carries its own identity, never the owner's.
        var (later, laterResult) = await Eventually.GetAsync(async () =>
        {
            var attempt = await Mqtt.TryConnectAsync(_app.MqttPort, intruder.Key, intruder.Secret, clientId: clientId, cleanSession: false);
            if (attempt.Result.ResultCode == MqttClientConnectResultCode.Success)
            {
                return new Tuple<IMqttClient, MqttClientConnectResult>(attempt.Client, attempt.Result);
            }

            attempt.Client.Dispose();
            return null;
        }, "the owner's session to expire");
        var asOwner = await later.PublishAsync(Mqtt.Message($"devices/{owner.Key}/telemetry", "{}"));
        var asItself = await later.PublishAsync(Mqtt.Message($"devices/{intruder.Key}/telemetry", "{}"));

        Assert.Equal(MqttClientConnectResultCode.Success, laterResult.ResultCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, asOwner.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, asItself.ReasonCode);
        await AssertNothingStoredUnderAsync(owner);
        Assert.Single(await ListMessagesAsync(intruder));
        whileConnected.Dispose();
        later.Dispose();
    }

    [Fact]
    public async Task A_client_id_is_free_again_once_its_clean_session_has_ended()
    {
        var first = await CreateDeviceAsync("First user of an id");
        var second = await CreateDeviceAsync("Second user of an id");
        var clientId = $"reused-{Guid.NewGuid():N}";
        var client = await Mqtt.ConnectAsync(_app.MqttPort, first.Key, first.Secret);
        client.Dispose();
        var (a, aResult) = await Mqtt.TryConnectAsync(_app.MqttPort, first.Key, first.Secret, clientId: clientId);
        await a.DisconnectAsync();
        a.Dispose();

        var result = await Eventually.GetAsync(async () =>
        {
            var (b, bResult) = await Mqtt.TryConnectAsync(_app.MqttPort, second.Key, second.Secret, clientId: clientId);
            b.Dispose();
            return bResult.ResultCode == MqttClientConnectResultCode.Success ? bResult : null;
        }, "the client id to be released");

        Assert.Equal(MqttClientConnectResultCode.Success, aResult.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
    }

    [Fact]
    public async Task A_new_secret_closes_the_devices_connections_and_only_the_new_secret_works()
    {
        var device = await CreateDeviceAsync("Leaky sensor");
        using var api = await _app.CreateAuthenticatedClientAsync();
        using var connected = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connected.DisconnectedAsync += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        var response = await api.PostAsync($"/api/v1/devices/{device.Id}/regenerate-secret", null);
        var renewed = (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var (oldClient, withOld) = await Mqtt.TryConnectAsync(_app.MqttPort, device.Key, device.Secret);
        var (newClient, withNew) = await Mqtt.TryConnectAsync(_app.MqttPort, device.Key, renewed.Secret);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(device.Secret, renewed.Secret);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, withOld.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.Success, withNew.ResultCode);
        Assert.Contains("Device.SecretRegenerated", await api.GetStringAsync("/api/v1/audit?action=Device.SecretRegenerated"));
        oldClient.Dispose();
        newClient.Dispose();
    }

    [Fact]
    public async Task An_over_long_topic_is_refused_as_invalid_and_nothing_is_stored()
    {
        var device = await CreateDeviceAsync("Long topics");
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);

        var result = await client.PublishAsync(Mqtt.Message($"devices/{device.Key}/{new string('t', 1100)}", "{}"));
        var next = await client.PublishAsync(Mqtt.Message($"devices/{device.Key}/telemetry", """{"after":1}"""));

        Assert.Equal(MqttClientPublishReasonCode.TopicNameInvalid, result.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, next.ReasonCode);
        Assert.Equal(["""{"after":1}"""], (await ListMessagesAsync(device)).Select(m => m.Payload));
    }

    [Fact]
    public async Task A_connected_device_shows_as_connected_and_offline_after_it_leaves()
    {
        var device = await CreateDeviceAsync("Status sensor");
        using var api = await _app.CreateAuthenticatedClientAsync();

        var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);
        var online = await Eventually.GetAsync(async () =>
            await api.GetFromJsonAsync<DeviceBody>($"/api/v1/devices/{device.Id}") is { IsConnected: true } d ? d : null, "device online");
        await client.DisconnectAsync();
        client.Dispose();
        var offline = await Eventually.GetAsync(async () =>
            await api.GetFromJsonAsync<DeviceBody>($"/api/v1/devices/{device.Id}") is { IsConnected: false } d ? d : null, "device offline");

        Assert.NotNull(online.LastSeenAt);
        Assert.NotNull(offline.LastSeenAt);
    }

    [Fact]
    public async Task Deleting_a_publishing_device_closes_it_sweeps_its_messages_and_its_neighbours_keep_being_stored()
    {
        var doomed = await CreateDeviceAsync("Doomed sensor");
        var neighbour = await CreateDeviceAsync("Neighbour sensor");
        using var doomedClient = await Mqtt.ConnectAsync(_app.MqttPort, doomed.Key, doomed.Secret);
        using var neighbourClient = await Mqtt.ConnectAsync(_app.MqttPort, neighbour.Key, neighbour.Secret);
        using var stop = new CancellationTokenSource();
        var doomedLoad = PublishUntilStoppedAsync(doomedClient, doomed, stop.Token);
        var neighbourLoad = PublishUntilStoppedAsync(neighbourClient, neighbour, stop.Token);
        await using var db = await _app.CreateDbContextAsync();
        await Eventually.GetAsync(async () => await db.Messages.CountAsync(m => m.DeviceId == doomed.Id) >= 20 ? "stored" : null, "the doomed device's first messages");

        using var api = await _app.CreateAuthenticatedClientAsync();
        var deleted = await api.DeleteAsync($"/api/v1/devices/{doomed.Id}");

        Assert.Equal(System.Net.HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await api.DeleteAsync($"/api/v1/devices/{doomed.Id}")).StatusCode);
        await Eventually.GetAsync(() => Task.FromResult(doomedClient.IsConnected ? null : "closed"), "the deleted device's connection closed");
        var afterDeletion = await db.Messages.CountAsync(m => m.DeviceId == neighbour.Id);
        await Eventually.GetAsync(async () => await db.Messages.CountAsync(m => m.DeviceId == neighbour.Id) >= afterDeletion + 20 ? "more" : null, "the neighbour's messages after the deletion");
        await stop.CancelAsync();
        var (neighbourAcknowledged, neighbourRefused) = await neighbourLoad;
        await doomedLoad;

        Assert.Equal(0, neighbourRefused);
        Assert.Equal(neighbourAcknowledged, await db.Messages.CountAsync(m => m.DeviceId == neighbour.Id));
        await Eventually.GetAsync(async () => await db.Messages.IgnoreQueryFilters().AnyAsync(m => m.DeviceId == doomed.Id) ? null : "swept",
            "the deleted device's messages deleted");
        await Eventually.GetAsync(async () => await db.MessageCounts.IgnoreQueryFilters().AnyAsync(c => c.DeviceId == doomed.Id) ? null : "gone",
            "the deleted device's counts deleted");
        Assert.Equal(neighbourAcknowledged, await db.MessageCounts.Where(c => c.DeviceId == neighbour.Id).SumAsync(c => c.Count));
        var (again, refused) = await Mqtt.TryConnectAsync(_app.MqttPort, doomed.Key, doomed.Secret);
        again.Dispose();
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, refused.ResultCode);
    }

    /// <summary>QoS 1 publishes one after another until stopped or disconnected: how many were acknowledged, how many refused.</summary>
    private static async Task<(int Acknowledged, int Refused)> PublishUntilStoppedAsync(IMqttClient client, CreatedDeviceBody device, CancellationToken stop)
    {
        var (acknowledged, refused) = (0, 0);
        for (var i = 0; !stop.IsCancellationRequested && client.IsConnected; i++)
        {
            try
            {
                var result = await client.PublishAsync(Mqtt.Message($"devices/{device.Key}/telemetry", $$"""{"i":{{i}}}"""));
                if (result.ReasonCode == MqttClientPublishReasonCode.Success)
                {
                    acknowledged++;
                }
                else
                {
                    refused++;
                }
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                break; // closed by the server while this publish was in flight
            }
        }

        return (acknowledged, refused);
    }

    private async Task AssertNothingStoredUnderAsync(CreatedDeviceBody device)
    {
        await using var db = await _app.CreateDbContextAsync();
        var prefix = $"devices/{device.Key}/";
        Assert.False(await db.Messages.IgnoreQueryFilters().AnyAsync(m => m.Topic.StartsWith(prefix)), $"a message was stored under {prefix}");
    }

    protected async Task<CreatedDeviceBody> CreateDeviceAsync(string name)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
    }

    protected async Task<List<MessageBody>> ListMessagesAsync(CreatedDeviceBody device, string query = "")
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        return (await api.GetFromJsonAsync<List<MessageBody>>($"/api/v1/devices/{device.Id}/messages{query}", Json))!;
    }

    private Task<MessageBody> WaitForMessageAsync(CreatedDeviceBody device, Func<MessageBody, bool> match) =>
        Eventually.GetAsync(async () => (await ListMessagesAsync(device)).FirstOrDefault(match), $"a matching message of {device.Key}");
}

public sealed class SqliteMessagePathTests(SqliteApp app) : MessagePathTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlMessagePathTests(PostgreSqlApp app) : MessagePathTests(app), IClassFixture<PostgreSqlApp>;
