using System.Net;
using System.Net.Http.Json;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

public sealed class RolesApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    private sealed record IdBody(Guid Id);

    private sealed record RoleBody(Guid Id, string Name, bool IsBuiltIn, Dictionary<string, string> Grants, List<string> Actions, int UserCount);

    [Fact]
    public async Task A_custom_role_is_created_read_changed_and_deleted()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();

        var created = await api.PostAsJsonAsync("/api/v1/roles", new
        {
            name = $"Auditor {Guid.NewGuid():N}", grants = new { AuditLog = "View", Devices = "View" }, actions = new[] { "Messages.Export" },
        });
        var id = (await created.Content.ReadFromJsonAsync<IdBody>())!.Id;
        var read = (await api.GetFromJsonAsync<RoleBody>($"/api/v1/roles/{id}"))!;
        var updated = await api.PutAsJsonAsync($"/api/v1/roles/{id}", new { name = read.Name, grants = new { AuditLog = "Manage" }, actions = Array.Empty<string>() });
        var reread = (await api.GetFromJsonAsync<RoleBody>($"/api/v1/roles/{id}"))!;
        var deleted = await api.DeleteAsync($"/api/v1/roles/{id}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(new Dictionary<string, string> { ["AuditLog"] = "View", ["Devices"] = "View" }, read.Grants);
        Assert.Equal(["Messages.Export"], read.Actions);
        Assert.Equal(HttpStatusCode.NoContent, updated.StatusCode);
        Assert.Equal(new Dictionary<string, string> { ["AuditLog"] = "Manage" }, reread.Grants);
        Assert.Empty(reread.Actions);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/roles/{id}")).StatusCode);
    }

    [Fact]
    public async Task Built_in_roles_cannot_be_deleted_renamed_or_the_administrator_edited_but_can_be_copied()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();

        var delete = await api.DeleteAsync($"/api/v1/roles/{BuiltInRoles.ClientId}");
        var rename = await api.PutAsJsonAsync($"/api/v1/roles/{BuiltInRoles.ClientId}", new { name = "Customer" });
        var editAdmin = await api.PutAsJsonAsync($"/api/v1/roles/{BuiltInRoles.AdministratorId}", new { name = "Administrator", grants = new { } });
        var copy = await api.PostAsJsonAsync($"/api/v1/roles/{BuiltInRoles.ClientId}/copy", new { name = $"Client plus {Guid.NewGuid():N}" });

        Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, rename.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, editAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Created, copy.StatusCode);
        var copied = (await api.GetFromJsonAsync<RoleBody>((await copy.Content.ReadFromJsonAsync<IdBody>())!.Id is var id ? $"/api/v1/roles/{id}" : ""))!;
        Assert.False(copied.IsBuiltIn);
        Assert.Equal("View", copied.Grants["Devices"]);
        Assert.Contains("Devices.SendCommand", copied.Actions);
    }

    [Theory]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"Client"}""", "name")]
    [InlineData("""{"name":"Odd","actions":["Devices.Explode"]}""", "actions")]
    public async Task Invalid_roles_get_field_errors(string body, string field)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var response = await api.PostAsync("/api/v1/roles", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
    }

    [Fact]
    public async Task Roles_are_changed_only_from_the_platform_entity_and_never_beyond_ones_own_permissions()
    {
        using var root = await _app.CreateAuthenticatedClientAsync();
        var branch = (await (await root.PostAsJsonAsync("/api/v1/entities", new { name = $"Tenant {Guid.NewGuid():N}", type = "Organisation" }))
            .Content.ReadFromJsonAsync<IdBody>())!.Id;
        using var tenantAdmin = await _app.CreateClientForNewUserAsync(branch, BuiltInRoles.AdministratorId);
        var rolesManager = (await (await root.PostAsJsonAsync("/api/v1/roles", new { name = $"Role clerk {Guid.NewGuid():N}", grants = new { Roles = "Manage" } }))
            .Content.ReadFromJsonAsync<IdBody>())!.Id;
        using var clerk = await _app.CreateClientForNewUserAsync(IoTRoutes.Core.Entities.RootEntity.Id, rolesManager);

        var fromTenant = await tenantAdmin.PostAsJsonAsync("/api/v1/roles", new { name = $"Tenant role {Guid.NewGuid():N}" });
        var tooStrong = await clerk.PostAsJsonAsync("/api/v1/roles", new { name = $"Mighty {Guid.NewGuid():N}", grants = new { Users = "Manage" } });
        var within = await clerk.PostAsJsonAsync("/api/v1/roles", new { name = $"Modest {Guid.NewGuid():N}", grants = new { Roles = "View" } });

        Assert.Equal(HttpStatusCode.Forbidden, fromTenant.StatusCode); // issue 13: where the caller stands, not what it sent
        Assert.Equal("application/problem+json", fromTenant.Content.Headers.ContentType?.MediaType);
        Assert.Contains("only users of the platform entity", await fromTenant.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, tooStrong.StatusCode);
        Assert.Contains("cannot allow more than you may do yourself", await tooStrong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, within.StatusCode);
    }

    [Fact]
    public async Task A_role_held_by_a_user_cannot_be_deleted_and_role_changes_apply_at_once()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var roleId = (await (await admin.PostAsJsonAsync("/api/v1/roles", new { name = $"Watcher {Guid.NewGuid():N}", grants = new { Devices = "View" } }))
            .Content.ReadFromJsonAsync<IdBody>())!.Id;
        using var watcher = await _app.CreateClientForNewUserAsync(IoTRoutes.Core.Entities.RootEntity.Id, roleId);

        Assert.Equal(HttpStatusCode.OK, (await watcher.GetAsync("/api/v1/devices")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.DeleteAsync($"/api/v1/roles/{roleId}")).StatusCode);
        var role = (await admin.GetFromJsonAsync<RoleBody>($"/api/v1/roles/{roleId}"))!;
        await admin.PutAsJsonAsync($"/api/v1/roles/{roleId}", new { name = role.Name, grants = new { } });

        Assert.Equal(HttpStatusCode.Forbidden, (await watcher.GetAsync("/api/v1/devices")).StatusCode);
    }
}
