using System.Net;
using System.Net.Http.Json;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

public sealed class AuditApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    private sealed record EntryBody(Guid Id, DateTimeOffset At, string User, string Action, string? Target, string? Details, string? From);

    private sealed record IdBody(Guid Id);

    [Fact]
    public async Task Sign_ins_and_user_changes_are_recorded_with_who_and_what()
    {
        using var anonymous = _app.CreateClient();
        var stranger = $"nobody-{Guid.NewGuid():N}@example.com";
        await anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email = stranger, password = "whatever-123" });
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var newUser = $"audited-{Guid.NewGuid():N}@example.com";
        await admin.PostAsJsonAsync("/api/v1/users", new { email = newUser, password = "long-enough-1", roles = new[] { "Client" } });

        var failed = (await admin.GetFromJsonAsync<List<EntryBody>>($"/api/v1/audit?action=SignIn.Failed&user={stranger}"))!;
        var created = (await admin.GetFromJsonAsync<List<EntryBody>>("/api/v1/audit?action=User.Created"))!;
        var succeeded = (await admin.GetFromJsonAsync<List<EntryBody>>($"/api/v1/audit?action=SignIn.Succeeded&user={IoTRoutesApp.AdminEmail}"))!;

        Assert.Equal(stranger, Assert.Single(failed).User);
        var creation = Assert.Single(created, e => e.Target == newUser);
        Assert.Equal(IoTRoutesApp.AdminEmail, creation.User);
        Assert.Contains("roles: Client", creation.Details);
        Assert.NotEmpty(succeeded);
    }

    [Fact]
    public async Task Role_changes_are_recorded()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var name = $"Audited role {Guid.NewGuid():N}";
        var id = (await (await admin.PostAsJsonAsync("/api/v1/roles", new { name, grants = new { Devices = "View" } })).Content.ReadFromJsonAsync<IdBody>())!.Id;
        await admin.PutAsJsonAsync($"/api/v1/roles/{id}", new { name, grants = new { Devices = "Manage" } });

        var entries = (await admin.GetFromJsonAsync<List<EntryBody>>("/api/v1/audit"))!.Where(e => e.Target == name).ToList();

        Assert.Equal(["Role.Updated", "Role.Created"], entries.Select(e => e.Action));
        Assert.Equal("grants.Devices: View -> Manage", entries[0].Details);
    }

    [Fact]
    public async Task The_export_is_csv_with_a_header_and_one_line_per_entry()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();

        var response = await admin.GetAsync("/api/v1/audit/export?action=SignIn.Succeeded");
        var lines = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("time,user,action,target,details,from", lines[0]);
        Assert.True(lines.Length >= 2);
        Assert.All(lines.Skip(1), l => Assert.Contains("\"SignIn.Succeeded\"", l));
    }

    [Fact]
    public async Task Only_audit_log_readers_see_it_and_bad_filters_get_400()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        using var client = await _app.CreateClientForNewUserAsync(IoTRoutes.Core.Entities.RootEntity.Id, BuiltInRoles.ClientId);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/audit?action=Launch.Rockets")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/audit?limit=0")).StatusCode);
    }

    [Fact]
    public async Task An_administrator_of_a_sub_entity_sees_only_what_happened_there()
    {
        using var root = await _app.CreateAuthenticatedClientAsync();
        var branch = (await (await root.PostAsJsonAsync("/api/v1/entities", new { name = $"Branch {Guid.NewGuid():N}", type = "Organisation" }))
            .Content.ReadFromJsonAsync<IdBody>())!.Id;
        using var branchAdmin = await _app.CreateClientForNewUserAsync(branch, BuiltInRoles.AdministratorId);
        var local = $"local-{Guid.NewGuid():N}@example.com";
        await branchAdmin.PostAsJsonAsync("/api/v1/users", new { email = local, password = "long-enough-1" });

        var seen = (await branchAdmin.GetFromJsonAsync<List<EntryBody>>("/api/v1/audit?limit=5000"))!;

        Assert.Contains(seen, e => e.Target == local);
        Assert.DoesNotContain(seen, e => e.User == IoTRoutesApp.AdminEmail);
    }
}
