using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

/// <summary>
/// Rejected messages end to end: frames from mosquitto_pub rejected by a device profile's format, listed and summarised
/// with each filter, paged, and decoded again in place once the format is fixed. On SQLite and on PostgreSQL: ids compare as
/// text on one and as uuids on the other, and both must page in time order.
/// </summary>
public abstract class RejectedMessagesApiTests(IoTRoutesApp app)
{
    private readonly IoTRoutesApp _app = app.Started();

    private const string ClimateLayout = FormatsApiTests.BinaryLayout;

    [Fact]
    public async Task Rejected_messages_are_listed_by_device_format_reason_and_time_and_paged_by_cursor()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        var (formatId, formatName, profileId) = await CreateClimateProfileAsync(api);
        var alpha = await api.CreateDeviceAsync(new { name = "Alpha", profileId });
        var beta = await api.CreateDeviceAsync(new { name = "Beta", profileId });
        var plain = await api.CreateDeviceAsync(new { name = "Plain JSON" });
        await PublishFileAsync(alpha, Convert.FromHexString("F830"));
        await PublishFileAsync(alpha, Convert.FromHexString("FA24"));
        await PublishFileAsync(beta, Convert.FromHexString("AB"));
        await MosquittoPub.PublishAsync(_app.MqttPort, plain.Key, plain.Secret, $"devices/{plain.Key}/telemetry", "{oops");
        await MosquittoPub.PublishAsync(_app.MqttPort, plain.Key, plain.Secret, $"devices/{plain.Key}/telemetry", """{"t":1}""");

        // Other tests of this class share the app and reject messages meanwhile: only this test's devices are compared.
        HashSet<Guid> ours = [alpha.Id, beta.Id, plain.Id];
        List<RejectedBody> Mine(IEnumerable<RejectedBody> items) => [.. items.Where(m => ours.Contains(m.DeviceId))];
        var all = Mine(await Eventually.GetAsync(async () => await ListAsync(api, $"from={Iso(start)}") is { } items && Mine(items).Count >= 4 ? items : null,
            "this test's 4 rejected messages"));

        Assert.Equal(["Plain JSON", "Beta", "Alpha", "Alpha"], all.Select(m => m.DeviceName)); // newest first
        var first = all[^1];
        Assert.Equal((alpha.Id, $"devices/{alpha.Key}/up", "F8 30", formatId, formatName, 1),
            (first.DeviceId, first.Topic, first.PayloadPreview, first.FormatId, first.FormatName, first.FormatVersion));
        Assert.Contains("\"humidity\" (u8) needs bytes 2 to 2, the payload has 2", first.Reason);
        Assert.Equal(("{oops", null), (all[0].PayloadPreview, all[0].FormatId));

        Assert.Equal([all[2].Id, all[3].Id], Ids(await ListAsync(api, $"deviceId={alpha.Id}")));
        Assert.Equal([all[1].Id, all[2].Id, all[3].Id], Ids(await ListAsync(api, $"formatId={formatId}")));
        Assert.Equal([all[2].Id, all[3].Id], Ids(await ListAsync(api, $"formatId={formatId}&reason=HUMIDITY")));
        Assert.Equal([all[1].Id, all[2].Id], Ids(Mine(await ListAsync(api, $"from={Iso(all[2].ReceivedAt)}&to={Iso(all[1].ReceivedAt)}"))));

        var paged = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = (await api.GetFromJsonAsync<RejectedPageBody>($"/api/v1/messages/rejected?from={Iso(start)}&limit=3" + (cursor is null ? "" : $"&cursor={cursor}")))!;
            paged.AddRange(Mine(page.Items).Select(m => m.Id));
            cursor = page.NextCursor?.ToString();
        }
        while (cursor is not null);
        Assert.Equal(Ids(all), paged);

        var summary = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/messages/rejected/summary?formatId={formatId}"))!;
        Assert.Equal(3, summary["total"]!.GetValue<long>());
        Assert.Equal(2, summary["reasons"]![0]!["count"]!.GetValue<long>());
        Assert.Contains("humidity", summary["reasons"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal(["Alpha", "Beta"], summary["devices"]!.AsArray().Select(d => d!["name"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("from=yesterday", null)]
    [InlineData("cursor=not-an-id", null)]
    [InlineData("formatId=42", null)]
    public async Task Bad_parameters_are_a_400_problem(string query, string? field)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();

        var response = await api.GetAsync($"/api/v1/messages/rejected?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            Assert.Contains(field, (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        }
    }

    [Fact]
    public async Task After_the_format_is_fixed_reprocessing_by_filter_updates_the_rows_in_place_and_the_counts_follow()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var (formatId, _, profileId) = await CreateClimateProfileAsync(api);
        var alpha = await api.CreateDeviceAsync(new { name = "Alpha", profileId });
        var beta = await api.CreateDeviceAsync(new { name = "Beta", profileId });
        await PublishFileAsync(alpha, Convert.FromHexString("F830"));
        await PublishFileAsync(alpha, Convert.FromHexString("FA24"));
        await PublishFileAsync(beta, Convert.FromHexString("AB")); // too short even for the fixed format
        var rejected = await WaitForRejectedAsync(api, $"formatId={formatId}", 3);
        var before = (await api.GetFromJsonAsync<StatsBody>("/api/v1/messages/stats"))!;

        var fixedLayout = new JsonObject
        {
            ["name"] = Unique("Fixed"), ["kind"] = "Binary", ["exchangeType"] = "Telemetry", ["topicPattern"] = "#",
            ["fields"] = JsonNode.Parse("""[{"name":"temperature","type":"S16","scale":0.01,"unit":"°C"}]"""),
        };
        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsJsonAsync($"/api/v1/formats/{formatId}", fixedLayout)).StatusCode);
        var response = await api.PostAsJsonAsync("/api/v1/messages/reprocess", new { formatId });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((3, 2, 1, 0), (result["reprocessed"]!.GetValue<int>(), result["processed"]!.GetValue<int>(),
            result["rejected"]!.GetValue<int>(), result["remaining"]!.GetValue<int>()));
        var ofAlpha = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{alpha.Id}/messages"))!;
        Assert.Equal(2, ofAlpha.Count); // nothing duplicated
        Assert.Equal(rejected.Where(m => m.DeviceId == alpha.Id).Select(m => m.Id).Order(), ofAlpha.Select(m => m!["id"]!.GetValue<Guid>()).Order());
        Assert.All(ofAlpha, m => Assert.Equal(("Processed", 2, "°C"),
            (m!["state"]!.GetValue<string>(), m["formatVersion"]!.GetValue<int>(), m["fields"]![0]!["unit"]!.GetValue<string>())));
        Assert.Equal([-20.0, -15.0], ofAlpha.Select(m => m!["data"]!["temperature"]!.GetValue<double>()).Order());
        var still = await ListAsync(api, $"formatId={formatId}");
        Assert.Equal([(beta.Id, 2)], still.Select(m => (m.DeviceId, m.FormatVersion)));
        var after = (await api.GetFromJsonAsync<StatsBody>("/api/v1/messages/stats"))!;
        Assert.Equal((before.Received, before.Processed + 2, before.Rejected - 2), (after.Received, after.Processed, after.Rejected));
    }

    [Fact]
    public async Task Another_entitys_user_sees_none_of_the_rejected_messages_and_reprocesses_none_and_a_client_may_not_reprocess()
    {
        using var root = await _app.CreateAuthenticatedClientAsync();
        var (formatId, _, profileId) = await CreateClimateProfileAsync(root);
        var device = await root.CreateDeviceAsync(new { name = "Root's device", profileId });
        await PublishFileAsync(device, Convert.FromHexString("F830"));
        await WaitForRejectedAsync(root, $"deviceId={device.Id}", 1);
        var branch = await root.PostIdAsync("/api/v1/entities", new { name = Unique("Branch"), type = "Organisation" });
        using var branchAdmin = await _app.CreateClientForNewUserAsync(branch, BuiltInRoles.AdministratorId);
        using var client = await _app.CreateClientForNewUserAsync(IoTRoutes.Core.Entities.RootEntity.Id, BuiltInRoles.ClientId);

        var listed = await ListAsync(branchAdmin, "");
        var byDevice = await ListAsync(branchAdmin, $"deviceId={device.Id}");
        var summary = (await branchAdmin.GetFromJsonAsync<JsonObject>($"/api/v1/messages/rejected/summary?formatId={formatId}"))!;
        var reprocessed = (await (await branchAdmin.PostAsJsonAsync("/api/v1/messages/reprocess", new { formatId })).Content.ReadFromJsonAsync<JsonObject>())!;
        var clientSees = await ListAsync(client, $"deviceId={device.Id}");
        var clientReprocesses = await client.PostAsJsonAsync("/api/v1/messages/reprocess", new { deviceId = device.Id });

        Assert.Empty(listed);
        Assert.Empty(byDevice);
        Assert.Equal(0, summary["total"]!.GetValue<long>());
        Assert.Equal(0, reprocessed["reprocessed"]!.GetValue<int>());
        Assert.Single(clientSees); // reading needs Messages View, which a client has
        Assert.Equal(HttpStatusCode.Forbidden, clientReprocesses.StatusCode); // reprocessing needs Messages Manage
        Assert.Single(await ListAsync(root, $"deviceId={device.Id}"));
    }

    private sealed record RejectedBody(
        Guid Id, Guid DeviceId, string DeviceName, string Topic, DateTimeOffset ReceivedAt, string? Reason, Guid? FormatId, string? FormatName,
        int? FormatVersion, string PayloadPreview);

    private sealed record RejectedPageBody(List<RejectedBody> Items, Guid? NextCursor);

    private static List<Guid> Ids(IEnumerable<RejectedBody> messages) => messages.Select(m => m.Id).ToList();

    private static string Iso(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O"));

    private static string Unique(string name) => $"{name} {Guid.NewGuid():N}"[..(name.Length + 13)];

    private static async Task<List<RejectedBody>> ListAsync(HttpClient api, string query) =>
        (await api.GetFromJsonAsync<RejectedPageBody>($"/api/v1/messages/rejected?{query}"))!.Items;

    private static Task<List<RejectedBody>> WaitForRejectedAsync(HttpClient api, string query, int count) =>
        Eventually.GetAsync(async () => await ListAsync(api, query) is { } items && items.Count >= count ? items : null, $"{count} rejected message(s) for {query}");

    private static async Task<(Guid FormatId, string Name, Guid ProfileId)> CreateClimateProfileAsync(HttpClient api)
    {
        var name = Unique("Climate");
        var body = new JsonObject
        {
            ["name"] = name, ["kind"] = "Binary", ["exchangeType"] = "Telemetry", ["topicPattern"] = "devices/+/up", ["settings"] = JsonNode.Parse(ClimateLayout),
        };
        var formatId = await api.PostIdAsync("/api/v1/formats", body);
        return (formatId, name, await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Climate"), formatIds = new[] { formatId } }));
    }

    private Task PublishFileAsync(CreatedDeviceBody device, byte[] payload) =>
        MosquittoPub.PublishFileAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/up", payload);
}

public sealed class SqliteRejectedMessagesApiTests(SqliteApp app) : RejectedMessagesApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlRejectedMessagesApiTests(PostgreSqlApp app) : RejectedMessagesApiTests(app), IClassFixture<PostgreSqlApp>;
