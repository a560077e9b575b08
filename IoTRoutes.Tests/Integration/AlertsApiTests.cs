using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Integration;

/// <summary>
/// Alerts over the REST API: raised as a workflow raises them (the app's own <see cref="AlertRaiser"/>), listed with each
/// filter and paged, acknowledged and cleared (audited), refused without Alerts Manage, invisible to another entity.
/// </summary>
public abstract class AlertsApiTests(IoTRoutesApp app)
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task Alerts_are_listed_by_state_severity_device_and_type_and_paged_by_cursor()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var a = await CreateDeviceAsync(api, "Alpha");
        var b = await CreateDeviceAsync(api, "Beta");
        var hot = await RaiseAsync(a.Id, "HighTemperature", AlertSeverity.Critical, JsonValue.Create(41.5));
        await RaiseAsync(a.Id, "HighTemperature", AlertSeverity.Critical, JsonValue.Create(43));
        var battery = await RaiseAsync(a.Id, "LowBattery", AlertSeverity.Warning);
        var ofB = await RaiseAsync(b.Id, "HighTemperature", AlertSeverity.Major);
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync($"/api/v1/alerts/{ofB}/acknowledge", null)).StatusCode);

        var ofA = await ListAsync(api, $"deviceId={a.Id}");
        Assert.Equal([battery, hot], ofA.Select(x => x.Id));
        var first = ofA[1];
        Assert.Equal((a.Name, "HighTemperature", "Critical", "Active", 2, 43.0),
            (first.DeviceName, first.Type, first.Severity, first.State, first.Count, first.LastValue!.GetValue<double>()));
        Assert.Equal([ofB], Ids(await ListAsync(api, $"deviceId={b.Id}&state=acknowledged")));
        Assert.Equal([battery, hot], Ids(await ListAsync(api, $"deviceId={a.Id}&state=Active,Acknowledged")));
        Assert.Equal([hot], Ids(await ListAsync(api, $"deviceId={a.Id}&severity=Critical,Major")));
        Assert.Equal([ofB, hot], Ids((await ListAsync(api, "type=HighTemperature")).Where(x => x.DeviceId == a.Id || x.DeviceId == b.Id)));

        var paged = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = (await api.GetFromJsonAsync<AlertPageBody>($"/api/v1/alerts?deviceId={a.Id}&limit=1" + (cursor is null ? "" : $"&cursor={cursor}")))!;
            paged.AddRange(page.Items.Select(x => x.Id));
            cursor = page.NextCursor?.ToString();
        }
        while (cursor is not null);
        Assert.Equal([battery, hot], paged);

        var one = (await api.GetFromJsonAsync<AlertBody>($"/api/v1/alerts/{ofB}"))!;
        Assert.Equal(("Acknowledged", IoTRoutesApp.AdminEmail), (one.State, one.AcknowledgedBy));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/alerts/{Guid.NewGuid()}")).StatusCode);
    }

    [Theory]
    [InlineData("state=Open", "state")]
    [InlineData("state=1", "state")]
    [InlineData("severity=Active", "severity")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("deviceId=42", null)]
    [InlineData("cursor=not-an-id", null)]
    public async Task Bad_filters_are_a_400_problem(string query, string? field)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();

        var response = await api.GetAsync($"/api/v1/alerts?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            Assert.Contains(field, (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        }
    }

    [Fact]
    public async Task Acknowledge_and_clear_are_audited_a_second_time_is_a_conflict_and_a_raise_after_clear_opens_a_new_alert()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Audited");
        var id = await RaiseAsync(device.Id, "DoorOpen", AlertSeverity.Minor);

        var acknowledged = await api.PostAsync($"/api/v1/alerts/{id}/acknowledge", null);
        var again = await api.PostAsync($"/api/v1/alerts/{id}/acknowledge", null);
        var cleared = await api.PostAsync($"/api/v1/alerts/{id}/clear", null);
        var clearedAgain = await api.PostAsync($"/api/v1/alerts/{id}/clear", null);
        var reopened = await RaiseAsync(device.Id, "DoorOpen", AlertSeverity.Minor);

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.Conflict, HttpStatusCode.NoContent, HttpStatusCode.Conflict),
            (acknowledged.StatusCode, again.StatusCode, cleared.StatusCode, clearedAgain.StatusCode));
        Assert.Equal("application/problem+json", clearedAgain.Content.Headers.ContentType?.MediaType);
        var alert = (await api.GetFromJsonAsync<AlertBody>($"/api/v1/alerts/{id}"))!;
        Assert.Equal(("Cleared", IoTRoutesApp.AdminEmail, IoTRoutesApp.AdminEmail), (alert.State, alert.AcknowledgedBy, alert.ClearedBy));
        Assert.NotEqual(id, reopened);
        List<AuditBody> audit = [];
        foreach (var action in new[] { "Alert.Acknowledged", "Alert.Cleared" })
        {
            audit.AddRange((await api.GetFromJsonAsync<List<AuditBody>>($"/api/v1/audit?action={action}"))!.Where(e => e.Details == $"alert {id}"));
        }

        Assert.Equal([("Alert.Acknowledged", IoTRoutesApp.AdminEmail), ("Alert.Cleared", IoTRoutesApp.AdminEmail)], audit.Select(e => (e.Action, e.User)));
        Assert.All(audit, e => Assert.Equal($"DoorOpen on {device.Name}", e.Target));
    }

    [Fact]
    public async Task A_client_reads_alerts_but_gets_403_acknowledging_or_clearing_and_another_entity_sees_nothing()
    {
        using var root = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(root, "Root's device");
        var id = await RaiseAsync(device.Id, "Offline", AlertSeverity.Major);
        var branch = await PostIdAsync(root, "/api/v1/entities", new { name = $"Branch {Guid.NewGuid():N}"[..20], type = "Organisation" });
        using var branchAdmin = await _app.CreateClientForNewUserAsync(branch, BuiltInRoles.AdministratorId);
        using var client = await _app.CreateClientForNewUserAsync(IoTRoutes.Core.Entities.RootEntity.Id, BuiltInRoles.ClientId);

        var clientSees = await client.GetFromJsonAsync<AlertBody>($"/api/v1/alerts/{id}");
        var clientAcknowledges = await client.PostAsync($"/api/v1/alerts/{id}/acknowledge", null);
        var clientClears = await client.PostAsync($"/api/v1/alerts/{id}/clear", null);
        var branchLists = await ListAsync(branchAdmin, $"deviceId={device.Id}");
        var branchGets = await branchAdmin.GetAsync($"/api/v1/alerts/{id}");
        var branchClears = await branchAdmin.PostAsync($"/api/v1/alerts/{id}/clear", null);

        Assert.Equal("Active", clientSees!.State);
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (clientAcknowledges.StatusCode, clientClears.StatusCode));
        Assert.Empty(branchLists);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (branchGets.StatusCode, branchClears.StatusCode));
        Assert.Equal("Active", (await root.GetFromJsonAsync<AlertBody>($"/api/v1/alerts/{id}"))!.State);
    }

    private sealed record AlertBody(
        Guid Id, Guid DeviceId, string DeviceName, string Type, string Severity, string State, string Message, int Count, JsonNode? LastValue,
        DateTimeOffset LastRaisedAt, string? AcknowledgedBy, string? ClearedBy);

    private sealed record AlertPageBody(List<AlertBody> Items, Guid? NextCursor);

    private sealed record AuditBody(string User, string Action, string? Target, string? Details);

    private static List<Guid> Ids(IEnumerable<AlertBody> alerts) => [.. alerts.Select(a => a.Id)];

    private static async Task<List<AlertBody>> ListAsync(HttpClient api, string query) =>
        (await api.GetFromJsonAsync<AlertPageBody>($"/api/v1/alerts?{query}"))!.Items;

    private async Task<Guid> RaiseAsync(Guid deviceId, string type, AlertSeverity severity, JsonNode? value = null) =>
        (await _app.Services.GetRequiredService<AlertRaiser>().RaiseAsync(new AlertRaise(deviceId, type, severity, $"{type} on the device", value), default))!.AlertId;

    private static async Task<Guid> PostIdAsync(HttpClient api, string path, object body)
    {
        var response = await api.PostAsJsonAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<IdBody>())!.Id;
    }

    private static async Task<CreatedDeviceBody> CreateDeviceAsync(HttpClient api, string name)
    {
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)] });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
    }
}

public sealed class SqliteAlertsApiTests(SqliteApp app) : AlertsApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlAlertsApiTests(PostgreSqlApp app) : AlertsApiTests(app), IClassFixture<PostgreSqlApp>;
