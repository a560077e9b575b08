using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

/// <summary>
/// The message explorer's API end to end: messages from mosquitto_pub found by each filter, paged by cursor while more
/// arrive, kept within the caller's entity, and exported as streamed CSV and JSON. On SQLite and on PostgreSQL: ids
/// compare as text on one and as uuids on the other, and both must page in time order.
/// </summary>
public abstract class MessageExplorerApiTests(IoTRoutesApp app)
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task Messages_are_found_by_device_entity_profile_topic_state_reason_field_and_time()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var branch = await api.PostIdAsync("/api/v1/entities", new { name = Unique("Site"), type = "Organisation" });
        var profileId = await CreateClimateProfileAsync(api);
        var alpha = await api.CreateDeviceAsync(new { name = "Alpha", profileId, entityId = branch });
        var beta = await api.CreateDeviceAsync(new { name = "Beta" });
        await PublishFileAsync(alpha, $"devices/{alpha.Key}/up", Convert.FromHexString("F830400CE4")); // -20 °C, 32 %, 3.3 V
        await PublishFileAsync(alpha, $"devices/{alpha.Key}/up", Convert.FromHexString("AB")); // too short: rejected
        await PublishFileAsync(alpha, $"devices/{alpha.Key}/up", Convert.FromHexString("0898500BB8")); // 22 °C, 40 %, 3.0 V
        await PublishAsync(beta, $"devices/{beta.Key}/telemetry", """{"t":21.5}""");
        await PublishAsync(beta, $"devices/{beta.Key}/status", """{"t":30}""");
        await PublishAsync(beta, $"devices/{beta.Key}/telemetry", "{oops");

        HashSet<Guid> ours = [alpha.Id, beta.Id];
        var all = await Eventually.GetAsync(async () => Mine(await ListAsync(api, "limit=500"), ours) is { Count: 6 } items ? items : null,
            "this test's 6 messages");
        Assert.Equal(["{oops", """{"t":30}""", """{"t":21.5}"""], all.Take(3).Select(m => m.Payload)); // newest first
        var (oops, status, telemetry, warm, rejected, cold) = (all[0].Id, all[1].Id, all[2].Id, all[3].Id, all[4].Id, all[5].Id);

        Assert.Equal([oops, status, telemetry], Ids(await ListAsync(api, $"deviceId={beta.Id}")));
        Assert.Equal([warm, rejected, cold], Ids(await ListAsync(api, $"entityId={branch}")));
        Assert.Equal([warm, rejected, cold], Ids(await ListAsync(api, $"profileId={profileId}")));
        Assert.Equal([oops, status, telemetry], Ids(await ListAsync(api, $"topic={Esc($"devices/{beta.Key}/+")}")));
        Assert.Equal([oops, status, telemetry], Ids(await ListAsync(api, $"topic={Esc($"devices/{beta.Key}/#")}")));
        Assert.Equal([status], Ids(await ListAsync(api, $"topic={Esc($"devices/{beta.Key}/status")}")));
        Assert.Equal([oops, telemetry], Ids(Mine(await ListAsync(api, $"topic={Esc("devices/+/telemetry")}&limit=500"), ours)));
        Assert.Equal([oops, rejected], Ids(Mine(await ListAsync(api, "state=Rejected&limit=500"), ours)));
        Assert.Equal([rejected], Ids(await ListAsync(api, $"entityId={branch}&state=rejected&reason=NEEDS%20BYTES")));

        // Field conditions test the decoded fields: a profile's format's, or for a device without a profile its JSON payload's
        // top-level members (as charts and workflows read them); a rejected message has none.
        Assert.Equal([warm], Ids(await ListAsync(api, $"entityId={branch}&field=temperature&op=gt&value=0")));
        Assert.Equal([cold], Ids(await ListAsync(api, $"profileId={profileId}&field=temperature&op=le&value=-20")));
        Assert.Equal([warm], Ids(await ListAsync(api, $"entityId={branch}&field=temperature&op=eq&value=22")));
        Assert.Equal([cold], Ids(await ListAsync(api, $"entityId={branch}&field=temperature&op=ne&value=22")));
        Assert.Equal([warm], Ids(await ListAsync(api, $"entityId={branch}&field=battery&op=lt&value=3.2")));
        Assert.Equal([warm], Ids(await ListAsync(api, $"entityId={branch}&field=humidity&op=contains&value=4")));
        Assert.Equal([warm, cold], Ids(await ListAsync(api, $"entityId={branch}&field=humidity&op=exists")));
        Assert.Equal([status, telemetry], Ids(await ListAsync(api, $"deviceId={beta.Id}&field=t&op=exists")));
        Assert.Equal([status], Ids(await ListAsync(api, $"deviceId={beta.Id}&field=t&op=gt&value=25")));
        Assert.Equal([telemetry], Ids(await ListAsync(api, $"deviceId={beta.Id}&field=t&op=eq&value=21.5")));
        var plain = (await ListAsync(api, $"deviceId={beta.Id}&field=t&op=eq&value=21.5")).Single();
        Assert.Equal("21.5", Assert.Single(plain.Fields!, f => f.Name == "t").Value!.ToJsonString());

        Assert.Equal([status, telemetry], Ids(Mine(await ListAsync(api, $"from={Iso(all[2].ReceivedAt)}&to={Iso(all[1].ReceivedAt)}&limit=500"), ours)));
        Assert.Empty(await ListAsync(api, $"deviceId={beta.Id}&to={Iso(all[5].ReceivedAt.AddTicks(-10))}"));
    }

    [Fact]
    public async Task Paging_by_cursor_gives_every_message_once_while_new_ones_arrive_and_a_scan_filter_pages_the_same_way()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync(new { name = "Pager" });
        for (var i = 0; i < 11; i++)
        {
            await PublishAsync(device, $"devices/{device.Key}/{(i % 2 == 0 ? "even" : "odd")}", $$"""{"n":{{i}}}""");
        }

        var stored = await Eventually.GetAsync(async () => await ListAsync(api, $"deviceId={device.Id}") is { Count: 11 } items ? items : null, "11 messages");

        var paged = new List<MessageBody>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await PageAsync(api, $"deviceId={device.Id}&limit=4" + (cursor is null ? "" : $"&cursor={cursor}"));
            paged.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
            await PublishAsync(device, $"devices/{device.Key}/late", """{"n":99}"""); // newer than the first page: never on a later one
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Ids(stored), Ids(paged));

        // The rest of a wildcard topic is matched in memory; its pages must join up just the same.
        var scanned = new List<MessageBody>();
        cursor = null;
        do
        {
            var page = await PageAsync(api, $"deviceId={device.Id}&topic={Esc("devices/+/even")}&limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
            Assert.True(page.Items.Count <= 2);
            scanned.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(Ids(stored.Where(m => m.Topic.EndsWith("/even", StringComparison.Ordinal))), Ids(scanned));
    }

    [Theory]
    [InlineData("deviceId=42", "deviceId")]
    [InlineData("entityId=x", "entityId")]
    [InlineData("entityId=0190f6a4-5b5e-7c3d-8e2f-1a2b3c4d5e6f", "entityId")]
    [InlineData("topic=devices/%23/up", "topic")]
    [InlineData("topic=devices/a%2B/up", "topic")]
    [InlineData("state=Lost", "state")]
    [InlineData("state=2", "state")]
    [InlineData("field=t&op=gt&value=warm", "value")]
    [InlineData("field=t&op=between&value=1", "op")]
    [InlineData("field=t", "value")]
    [InlineData("op=eq&value=1", "field")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task A_bad_parameter_is_a_validation_problem_naming_it(string query, string field)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();

        foreach (var path in new[] { $"/api/v1/messages?{query}", $"/api/v1/messages/export?{query}" })
        {
            if (field is "limit" or "cursor" && path.Contains("export", StringComparison.Ordinal))
            {
                continue; // the export has no pages
            }

            var response = await api.GetAsync(path);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(field, (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        }
    }

    [Fact]
    public async Task Another_entitys_user_finds_none_of_the_messages_and_cannot_filter_by_an_entity_outside_its_own()
    {
        using var root = await _app.CreateAuthenticatedClientAsync();
        var device = await root.CreateDeviceAsync(new { name = "Root's device" });
        await PublishAsync(device, $"devices/{device.Key}/telemetry", """{"t":1}""");
        await Eventually.GetAsync(async () => await ListAsync(root, $"deviceId={device.Id}") is { Count: 1 } items ? items : null, "the message");
        var branch = await root.PostIdAsync("/api/v1/entities", new { name = Unique("Branch"), type = "Organisation" });
        using var branchAdmin = await _app.CreateClientForNewUserAsync(branch, BuiltInRoles.AdministratorId);

        Assert.Empty(await ListAsync(branchAdmin, $"deviceId={device.Id}"));
        Assert.DoesNotContain(await ListAsync(branchAdmin, "limit=500"), m => m.DeviceId == device.Id);
        Assert.Empty((await branchAdmin.GetFromJsonAsync<JsonArray>($"/api/v1/messages/export?deviceId={device.Id}&format=json"))!);
        var outside = await branchAdmin.GetAsync($"/api/v1/messages?entityId={RootEntity.Id}");
        Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
        Assert.Contains("entityId", (await outside.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
    }

    [Fact]
    public async Task A_filtered_range_exports_as_csv_and_json_and_is_audited_and_needs_the_export_action()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync(new { name = "Exported, \"quoted\"" });
        await PublishAsync(device, $"devices/{device.Key}/telemetry", """{"t":1}""");
        await PublishAsync(device, $"devices/{device.Key}/telemetry", """{"t":2,"note":"a,b"}""");
        await PublishAsync(device, $"devices/{device.Key}/other", """{"t":3}""");
        var listed = await Eventually.GetAsync(async () => await ListAsync(api, $"deviceId={device.Id}") is { Count: 3 } items ? items : null, "3 messages");

        var csvResponse = await api.GetAsync($"/api/v1/messages/export?deviceId={device.Id}&topic={Esc($"devices/{device.Key}/telemetry")}");
        var json = await api.GetFromJsonAsync<JsonArray>($"/api/v1/messages/export?format=json&deviceId={device.Id}");

        Assert.Equal(HttpStatusCode.OK, csvResponse.StatusCode);
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal("messages.csv", csvResponse.Content.Headers.ContentDisposition?.FileNameStar ?? csvResponse.Content.Headers.ContentDisposition?.FileName);
        var lines = (await csvResponse.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,receivedAt,deviceId,deviceKey,deviceName,topic,state,rejectionReason,formatId,formatVersion,payloadSize,payload,data", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{listed[1].Id},", lines[1]);
        Assert.Contains(",\"Exported, \"\"quoted\"\"\",", lines[1]);
        Assert.Contains("\"{\"\"t\"\":2,\"\"note\"\":\"\"a,b\"\"}\"", lines[1]);
        Assert.Equal(Ids(listed), json!.Select(m => m!["id"]!.GetValue<Guid>()));
        Assert.Equal("""{"t":3}""", json![0]!["payload"]!.GetValue<string>());
        Assert.Equal("Processed", json![0]!["state"]!.GetValue<string>()); // by name, as the API gives it
        var rawJson = await api.GetStringAsync($"/api/v1/messages/export?format=json&deviceId={device.Id}");
        Assert.Contains("""\"t\":3""", rawJson); // quotes escaped as \", not \u0022

        var audit = (await api.GetFromJsonAsync<JsonArray>("/api/v1/audit?action=Messages.Exported"))!;
        Assert.Contains(audit, e => e!["details"]!.GetValue<string>().Contains($"device: {device.Id}", StringComparison.Ordinal)
                                    && e["target"]!.GetValue<string>() == "JSON");

        using var client = await _app.CreateClientForNewUserAsync(RootEntity.Id, BuiltInRoles.ClientId);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/v1/messages/export?deviceId={device.Id}")).StatusCode);
        Assert.Equal(3, (await ListAsync(client, $"deviceId={device.Id}")).Count); // searching needs only Messages View
    }

    [Fact]
    public async Task A_message_in_full_has_its_raw_bytes_its_formats_name_and_its_rejections_details()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var profileId = await CreateClimateProfileAsync(api);
        var formatName = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/profiles/{profileId}"))!["formats"]![0]!["name"]!.GetValue<string>();
        var sensor = await api.CreateDeviceAsync(new { name = "Sensor", profileId });
        var plain = await api.CreateDeviceAsync(new { name = "Plain" });
        byte[] frame = [0xF8, 0x30, 0x40, 0x0C, 0xE4]; // not UTF-8: the text payload alone would lose these bytes
        await PublishFileAsync(sensor, $"devices/{sensor.Key}/up", frame);
        await PublishAsync(plain, $"devices/{plain.Key}/telemetry", """{"t": 1, battery: 2}""");
        var decoded = await Eventually.GetAsync(async () => await ListAsync(api, $"deviceId={sensor.Id}") is [var m] ? m : null, "the frame");
        var rejected = await Eventually.GetAsync(async () => await ListAsync(api, $"deviceId={plain.Id}") is [var m] ? m : null, "the bad JSON");

        var detail = (await api.GetFromJsonAsync<DetailBody>($"/api/v1/messages/{decoded.Id}"))!;
        Assert.Equal(frame, detail.RawPayload);
        Assert.Equal(formatName, detail.FormatName);
        Assert.Equal("Processed", detail.Message.State);
        Assert.Equal(-20, Assert.Single(detail.Message.Fields!, f => f.Name == "temperature").Value!.GetValue<double>());
        Assert.Equal(frame, await api.GetByteArrayAsync($"/api/v1/messages/{decoded.Id}/payload"));

        var bad = (await api.GetFromJsonAsync<DetailBody>($"/api/v1/messages/{rejected.Id}"))!;
        Assert.Equal("Rejected", bad.Message.State);
        Assert.StartsWith("Not valid JSON at character 10: expected a property name", bad.Message.RejectionReason);
        Assert.Contains("BytePositionInLine", bad.Message.RejectionDetails); // the parser's own text, kept beside the sentence
        Assert.Equal(rejected.RejectionDetails, bad.Message.RejectionDetails); // the list carries it too
        Assert.Null(bad.FormatName);
        Assert.Null(bad.Message.Fields);

        var missing = await api.GetAsync($"/api/v1/messages/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        using var stranger = await _app.CreateClientForNewUserAsync(
            await api.PostIdAsync("/api/v1/entities", new { name = Unique("Elsewhere"), type = "Organisation" }), BuiltInRoles.ClientId);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/messages/{decoded.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/messages/{decoded.Id}/payload")).StatusCode);
    }

    private sealed record MessageBody(
        Guid Id, Guid DeviceId, string Topic, string Payload, DateTimeOffset ReceivedAt, string State, List<FieldBody>? Fields = null,
        string? RejectionReason = null, string? RejectionDetails = null, Guid? FormatId = null, int? FormatVersion = null);

    private sealed record FieldBody(string Name, JsonNode? Value, string? Unit);

    private sealed record DetailBody(MessageBody Message, byte[] RawPayload, string? FormatName);

    private sealed record PageBody(List<MessageBody> Items, string? NextCursor);

    private static List<Guid> Ids(IEnumerable<MessageBody> messages) => messages.Select(m => m.Id).ToList();

    private static List<MessageBody> Mine(IEnumerable<MessageBody> messages, HashSet<Guid> devices) => [.. messages.Where(m => devices.Contains(m.DeviceId))];

    private static string Iso(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O"));

    private static string Esc(string text) => Uri.EscapeDataString(text);

    private static string Unique(string name) => $"{name} {Guid.NewGuid():N}"[..(name.Length + 13)];

    private static async Task<PageBody> PageAsync(HttpClient api, string query)
    {
        var response = await api.GetAsync($"/api/v1/messages?{query}");
        Assert.True(response.IsSuccessStatusCode, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<PageBody>())!;
    }

    private static async Task<List<MessageBody>> ListAsync(HttpClient api, string query) => (await PageAsync(api, query)).Items;

    private static async Task<Guid> CreateClimateProfileAsync(HttpClient api)
    {
        var body = new JsonObject
        {
            ["name"] = Unique("Climate"), ["kind"] = "Binary", ["exchangeType"] = "Telemetry", ["topicPattern"] = "devices/+/up",
            ["settings"] = JsonNode.Parse(FormatsApiTests.BinaryLayout),
        };
        var formatId = await api.PostIdAsync("/api/v1/formats", body);
        return await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Climate"), formatIds = new[] { formatId } });
    }

    private Task PublishAsync(CreatedDeviceBody device, string topic, string payload) =>
        MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, topic, payload);

    private Task PublishFileAsync(CreatedDeviceBody device, string topic, byte[] payload) =>
        MosquittoPub.PublishFileAsync(_app.MqttPort, device.Key, device.Secret, topic, payload);
}

public sealed class SqliteMessageExplorerApiTests(SqliteApp app) : MessageExplorerApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlMessageExplorerApiTests(PostgreSqlApp app) : MessageExplorerApiTests(app), IClassFixture<PostgreSqlApp>;
