using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Integration;

/// <summary>
/// Every state-changing API route writes an audit entry. The routes are read from the app's endpoints, so a new route
/// fails this test until it has a call here (which must succeed) and writes an entry, or is allowed below with a reason.
/// </summary>
public sealed class AuditCoverageTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly string[] ChangingMethods = ["POST", "PUT", "PATCH", "DELETE"];

    /// <summary>The routes that change nothing an operator must account for, each with why.</summary>
    private static readonly Dictionary<string, string> NotAudited = new()
    {
        ["POST api/v1/auth/token"] = "a sign-in, audited as SignIn.Succeeded/Failed/Throttled by the sign-in itself",
        ["POST api/v1/auth/refresh"] = "renews the access token of a session already signed in; no setting changes",
        ["POST api/v1/auth/revoke"] = "ends a session's refresh token; no setting changes",
        ["POST api/v1/devices/{id:guid}/media"] = "the device's own upload (its key and secret, no user): traffic, not administration, and frequent",
        ["POST api/v1/formats/{id:guid}/try"] = "decodes a sample and answers; stores nothing",
        ["POST api/v1/formats/{id:guid}/encode"] = "encodes a sample and answers; stores nothing",
        ["POST api/v1/workflows/{id:guid}/test"] = "a dry run: effects are recorded in the answer, not performed; stores nothing",
        ["POST api/v1/workflows/{id:guid}/tests/run"] = "runs the workflow's test cases as dry runs; stores nothing",
    };

    private const string JobGraph = """
        {"nodes":[{"id":"start","type":"Manual"},{"id":"wait","type":"Delay","settings":{"duration":"10m"}}],"links":[{"from":"start","to":"wait"}]}
        """;

    private readonly IoTRoutesApp _app = app.Started();

    private sealed record Call(string Method, string Route, Func<HttpClient, Task<HttpResponseMessage>> Send);

    /// <summary>Ids made by earlier calls, used by later ones.</summary>
    private sealed class Made
    {
        public Guid Entity, OtherEntity, Device, Broker, Format, Profile, Workflow, Run, Role, CopiedRole, User, File, Communicator, Rule, Certificate, Alert;
        public JsonNode? WorkflowDocument;
    }

    [Fact]
    public async Task Every_state_changing_api_route_writes_an_audit_entry()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var made = new Made();
        var calls = Calls(made);
        var routes = ChangingRoutes();

        var failures = new List<string>();
        failures.AddRange(routes.Where(r => !NotAudited.ContainsKey(r) && calls.All(c => $"{c.Method} {c.Route}" != r))
            .Select(r => $"{r}: not called by this test; add a call (it must succeed and write an audit entry) or a reason to NotAudited"));
        failures.AddRange(calls.Select(c => $"{c.Method} {c.Route}").Concat(NotAudited.Keys).Where(r => !routes.Contains(r))
            .Select(r => $"{r}: no such route any more; remove it from this test"));
        foreach (var call in calls)
        {
            var before = await CountAsync();
            using var response = await call.Send(api);
            if (!response.IsSuccessStatusCode)
            {
                failures.Add($"{call.Method} {call.Route}: answered {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            else if (await CountAsync() == before)
            {
                failures.Add($"{call.Method} {call.Route}: wrote no audit entry");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void The_routes_are_discovered_from_the_app_so_a_new_one_cannot_be_missed()
    {
        var routes = ChangingRoutes();

        Assert.True(routes.Count >= 60, $"only {routes.Count} state-changing routes found");
        Assert.Contains("POST api/v1/devices", routes);
        Assert.Contains("POST api/v1/devices/import", routes);
        Assert.DoesNotContain(routes, r => r.StartsWith("GET ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Device_creation_and_a_broker_change_are_recorded_with_who_and_before_after()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync($"Audited {Guid.NewGuid():N}"[..20]);
        var broker = await IdAsync(await api.PostAsJsonAsync("/api/v1/brokers", new { name = $"Audited {Guid.NewGuid():N}"[..20], port = FreePort.Next() }));
        var newPort = FreePort.Next();
        (await api.PutAsJsonAsync($"/api/v1/brokers/{broker}", new { port = newPort, maxConnections = 7 })).EnsureSuccessStatusCode();

        var created = (await api.GetFromJsonAsync<JsonArray>("/api/v1/audit?action=Device.Created"))!.Single(e => e!["target"]!.GetValue<string>().Contains(device.Key))!;
        var updated = (await api.GetFromJsonAsync<JsonArray>("/api/v1/audit?action=Broker.Updated"))!.First()!;

        Assert.Equal(IoTRoutesApp.AdminEmail, created["user"]!.GetValue<string>());
        Assert.Equal("in Platform", created["details"]!.GetValue<string>());
        Assert.Matches(@"^maxConnections: \d+ -> 7; port: \d+ -> " + newPort + "$", updated["details"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_users_new_roles_are_recorded_before_and_after()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var email = $"roles-{Guid.NewGuid():N}@example.com";
        var user = await IdAsync(await api.PostAsJsonAsync("/api/v1/users", new { email, password = "long-enough-1", roles = new[] { "Client" } }));
        (await api.PutAsJsonAsync($"/api/v1/users/{user}", new { roles = new[] { "Operator", "Client" } })).EnsureSuccessStatusCode();

        var updated = (await api.GetFromJsonAsync<JsonArray>("/api/v1/audit?action=User.Updated"))!.Single(e => e!["target"]!.GetValue<string>() == email)!;

        Assert.Equal("roles: Client -> Client, Operator", updated["details"]!.GetValue<string>());
    }

    private SortedSet<string> ChangingRoutes() =>
    [
        .. _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("api/v1/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])
                .Where(ChangingMethods.Contains).Select(m => $"{m} {e.RoutePattern.RawText!.Trim('/')}")),
    ];

    private async Task<int> CountAsync()
    {
        await using var db = await _app.CreateDbContextAsync();
        return await db.AuditEntries.IgnoreQueryFilters().CountAsync();
    }

    /// <summary>In order: each thing is created, changed, used, then deleted.</summary>
    private List<Call> Calls(Made m)
    {
        string Unique(string name) => $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)];
        var root = "api/v1/";
        return
        [
            // Entities
            new("POST", root + "entities", async a => await KeepAsync(await a.PostAsJsonAsync("/api/v1/entities", new { name = Unique("Audit org"), type = "Organisation" }), id => m.Entity = id)),
            new("PUT", root + "entities/{id:guid}", a => a.PutAsJsonAsync($"/api/v1/entities/{m.Entity}", new { name = Unique("Audit org renamed") })),
            new("POST", root + "entities/{id:guid}/move", async a =>
            {
                m.OtherEntity = await IdAsync(await a.PostAsJsonAsync("/api/v1/entities", new { name = Unique("Audit moved"), type = "Customer" }));
                return await a.PostAsJsonAsync($"/api/v1/entities/{m.OtherEntity}/move", new { parentId = m.Entity });
            }),
            new("DELETE", root + "entities/{id:guid}", a => a.DeleteAsync($"/api/v1/entities/{m.OtherEntity}")),

            // Formats and profiles
            new("POST", root + "formats", async a => await KeepAsync(await a.PostAsJsonAsync("/api/v1/formats",
                new { name = Unique("Audit JSON"), kind = "Json", exchangeType = "Telemetry", topicPattern = "#" }), id => m.Format = id)),
            new("PUT", root + "formats/{id:guid}", a => a.PutAsJsonAsync($"/api/v1/formats/{m.Format}",
                new { name = Unique("Audit JSON v2"), kind = "Json", exchangeType = "Telemetry", topicPattern = "devices/#" })),
            new("POST", root + "formats/import", a => a.PostAsJsonAsync("/api/v1/formats/import", new { name = Unique("Audit THP"), script = Fixture("thp-1.js"), codecYaml = Fixture("thp-1-codec.yaml") })),
            new("POST", root + "profiles", async a => await KeepAsync(await a.PostAsJsonAsync("/api/v1/profiles", new { name = Unique("Audit profile"), formatIds = new[] { m.Format } }), id => m.Profile = id)),
            new("PUT", root + "profiles/{id:guid}", a => a.PutAsJsonAsync($"/api/v1/profiles/{m.Profile}",
                new { name = Unique("Audit profile"), formatIds = new[] { m.Format }, variables = new { apiKey = "not-in-the-audit" } })),

            // Devices
            new("POST", root + "devices", async a => await KeepAsync(await a.PostAsJsonAsync("/api/v1/devices", new { name = Unique("Audit device") }), id => m.Device = id)),
            new("POST", root + "devices/import", a => a.PostAsync("/api/v1/devices/import", new StringContent($"name,entity\n{Unique("Imported")},{m.Entity}\n", Encoding.UTF8, "text/csv"))),
            new("PUT", root + "devices/{id:guid}", a => a.PutAsJsonAsync($"/api/v1/devices/{m.Device}", new { name = Unique("Audit device renamed") })),
            new("POST", root + "profiles/{id:guid}/devices", a => a.PostAsJsonAsync($"/api/v1/profiles/{m.Profile}/devices", new { deviceIds = new[] { m.Device } })),
            new("POST", root + "devices/{id:guid}/regenerate-secret", a => a.PostAsync($"/api/v1/devices/{m.Device}/regenerate-secret", null)),
            new("PUT", root + "devices/{id:guid}/attributes/{key}", a => a.PutAsJsonAsync($"/api/v1/devices/{m.Device}/attributes/room", "B12")),
            new("DELETE", root + "devices/{id:guid}/attributes/{key}", a => a.DeleteAsync($"/api/v1/devices/{m.Device}/attributes/room")),
            new("POST", root + "devices/{id:guid}/commands", a => a.PostAsJsonAsync($"/api/v1/devices/{m.Device}/commands", new { name = "reboot", payload = 1 })),
            new("POST", root + "devices/{id:guid}/certificates/issue", async a =>
                await KeepAsync(await a.PostAsync($"/api/v1/devices/{m.Device}/certificates/issue", null), id => m.Certificate = id)),
            new("POST", root + "devices/{id:guid}/certificates", a => a.PostAsJsonAsync($"/api/v1/devices/{m.Device}/certificates",
                new { thumbprint = Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray()) })),
            new("POST", root + "devices/{id:guid}/certificates/{certificateId:guid}/revoke", a => a.PostAsync($"/api/v1/devices/{m.Device}/certificates/{m.Certificate}/revoke", null)),
            new("POST", root + "messages/reprocess", a => a.PostAsJsonAsync("/api/v1/messages/reprocess", new { deviceId = m.Device })),

            // Alerts
            new("POST", root + "alerts/{id:guid}/acknowledge", async a =>
            {
                var raised = await _app.Services.GetRequiredService<AlertRaiser>().RaiseAsync(new AlertRaise(m.Device, "Audit", AlertSeverity.Warning, "raised for the audit test", null), default);
                m.Alert = raised!.AlertId;
                return await a.PostAsync($"/api/v1/alerts/{m.Alert}/acknowledge", null);
            }),
            new("POST", root + "alerts/{id:guid}/clear", a => a.PostAsync($"/api/v1/alerts/{m.Alert}/clear", null)),

            // Brokers
            new("POST", root + "brokers", async a => await KeepAsync(await a.PostAsJsonAsync("/api/v1/brokers", new { name = Unique("Audit broker"), port = FreePort.Next(), bindAddress = "127.0.0.1" }), id => m.Broker = id)),
            new("PUT", root + "brokers/{id:guid}", a => a.PutAsJsonAsync($"/api/v1/brokers/{m.Broker}", new { maxConnections = 50 })),
            new("POST", root + "brokers/{id:guid}/enable", a => a.PostAsync($"/api/v1/brokers/{m.Broker}/enable", null)),
            new("POST", root + "brokers/{id:guid}/disable", a => a.PostAsync($"/api/v1/brokers/{m.Broker}/disable", null)),
            new("DELETE", root + "brokers/{id:guid}", a => a.DeleteAsync($"/api/v1/brokers/{m.Broker}")),

            // Workflows and jobs
            new("POST", root + "workflows", async a => await KeepAsync(await a.PostAsJsonAsync("/api/v1/workflows", new { name = Unique("Audit job"), definition = JsonNode.Parse(JobGraph) }), id => m.Workflow = id)),
            new("PUT", root + "workflows/{id:guid}", a => a.PutAsJsonAsync($"/api/v1/workflows/{m.Workflow}", new { revision = 1, description = "changed", definition = JsonNode.Parse(JobGraph) })),
            new("POST", root + "workflows/{id:guid}/publish", a => a.PostAsJsonAsync($"/api/v1/workflows/{m.Workflow}/publish", new { note = "first" })),
            new("POST", root + "workflows/{id:guid}/versions/{version:int}/restore", a => a.PostAsync($"/api/v1/workflows/{m.Workflow}/versions/1/restore", null)),
            new("POST", root + "workflows/{id:guid}/disable", a => a.PostAsync($"/api/v1/workflows/{m.Workflow}/disable", null)),
            new("POST", root + "workflows/{id:guid}/enable", a => a.PostAsync($"/api/v1/workflows/{m.Workflow}/enable", null)),
            new("POST", root + "workflows/{id:guid}/debug", a => a.PostAsJsonAsync($"/api/v1/workflows/{m.Workflow}/debug", new { enabled = true })),
            new("POST", root + "jobs/{id:guid}/run", async a => await KeepAsync(await a.PostAsJsonAsync($"/api/v1/jobs/{m.Workflow}/run", new { }), id => m.Run = id, "runId")),
            new("POST", root + "runs/{id:guid}/cancel", a => a.PostAsync($"/api/v1/runs/{m.Run}/cancel", null)),
            new("POST", root + "workflows/import", async a =>
            {
                m.WorkflowDocument = await a.GetFromJsonAsync<JsonNode>($"/api/v1/workflows/{m.Workflow}/export");
                return await a.PostAsJsonAsync("/api/v1/workflows/import", new { name = Unique("Audit imported"), document = m.WorkflowDocument });
            }),
            new("DELETE", root + "workflows/{id:guid}", a => a.DeleteAsync($"/api/v1/workflows/{m.Workflow}")),

            // Files
            new("POST", root + "files", async a =>
            {
                using var form = new MultipartFormDataContent { { new ByteArrayContent("audited"u8.ToArray()), "file", "audit.txt" } };
                return await KeepAsync(await a.PostAsync("/api/v1/files", form), id => m.File = id);
            }),
            new("DELETE", root + "files/{id:guid}", a => a.DeleteAsync($"/api/v1/files/{m.File}")),

            // Communicators and notification rules
            new("POST", root + "communicators", async a => await KeepAsync(await a.PostAsJsonAsync("/api/v1/communicators",
                new { name = Unique("Audit mail"), kind = "Smtp", host = "127.0.0.1", port = FreePort.Next(), security = "None", sender = "iot@plant.example" }), id => m.Communicator = id)),
            new("PUT", root + "communicators/{id:guid}", a => a.PutAsJsonAsync($"/api/v1/communicators/{m.Communicator}",
                new { name = Unique("Audit mail"), host = "127.0.0.1", port = FreePort.Next(), security = "None", sender = "ops@plant.example" })),
            new("POST", root + "communicators/{id:guid}/test", a => a.PostAsync($"/api/v1/communicators/{m.Communicator}/test", null)),
            new("POST", root + "notification-rules", async a => await KeepAsync(await a.PostAsJsonAsync("/api/v1/notification-rules",
                new { name = Unique("Audit rule"), communicatorId = m.Communicator, recipients = "ops@example.com" }), id => m.Rule = id)),
            new("PUT", root + "notification-rules/{id:guid}", a => a.PutAsJsonAsync($"/api/v1/notification-rules/{m.Rule}",
                new { name = Unique("Audit rule"), communicatorId = m.Communicator, recipients = "oncall@example.com" })),
            new("DELETE", root + "notification-rules/{id:guid}", a => a.DeleteAsync($"/api/v1/notification-rules/{m.Rule}")),
            new("DELETE", root + "communicators/{id:guid}", a => a.DeleteAsync($"/api/v1/communicators/{m.Communicator}")),

            // Roles and users
            new("POST", root + "roles", async a => await KeepAsync(await a.PostAsJsonAsync("/api/v1/roles", new { name = Unique("Audit role"), grants = new { Devices = "View" } }), id => m.Role = id)),
            new("PUT", root + "roles/{id:guid}", a => a.PutAsJsonAsync($"/api/v1/roles/{m.Role}", new { name = Unique("Audit role"), grants = new { Devices = "Manage" } })),
            new("POST", root + "roles/{id:guid}/copy", async a => await KeepAsync(await a.PostAsJsonAsync($"/api/v1/roles/{m.Role}/copy", new { name = Unique("Audit copy") }), id => m.CopiedRole = id)),
            new("DELETE", root + "roles/{id:guid}", a => a.DeleteAsync($"/api/v1/roles/{m.CopiedRole}")),
            new("POST", root + "users", async a => await KeepAsync(await a.PostAsJsonAsync("/api/v1/users",
                new { email = $"audit-{Guid.NewGuid():N}@example.com", password = "long-enough-1", roles = new[] { "Client" } }), id => m.User = id)),
            new("PUT", root + "users/{id:guid}", a => a.PutAsJsonAsync($"/api/v1/users/{m.User}", new { roles = new[] { "Operator" } })),
            new("POST", root + "users/{id:guid}/reset-password", a => a.PostAsJsonAsync($"/api/v1/users/{m.User}/reset-password", new { password = "another-long-1" })),

            // Last: the device goes, and the profile and format it used.
            new("DELETE", root + "devices/{id:guid}", a => a.DeleteAsync($"/api/v1/devices/{m.Device}")),
            new("DELETE", root + "profiles/{id:guid}", a => a.DeleteAsync($"/api/v1/profiles/{m.Profile}")),
            new("DELETE", root + "formats/{id:guid}", a => a.DeleteAsync($"/api/v1/formats/{m.Format}")),
        ];
    }

    private static async Task<HttpResponseMessage> KeepAsync(HttpResponseMessage response, Action<Guid> keep, string property = "id")
    {
        if (response.IsSuccessStatusCode)
        {
            keep((await response.Content.ReadFromJsonAsync<JsonObject>())![property]!.GetValue<Guid>());
        }

        return response;
    }

    private static async Task<Guid> IdAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "DeviceRepository", name));
}
