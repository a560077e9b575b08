using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

public sealed class UsersApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    private sealed record IdBody(Guid Id);

    private sealed record UserBody(Guid Id, string Email, Guid EntityId, string EntityName, List<string> Roles, bool IsDisabled, bool MustChangePassword);

    [Fact]
    public async Task An_administrator_creates_a_client_user_who_then_sees_only_its_entity()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var clientX = await PostIdAsync(admin, "/api/v1/entities", new { name = "Client X", type = "Customer" });
        var clientY = await PostIdAsync(admin, "/api/v1/entities", new { name = "Client Y", type = "Customer" });
        await PostIdAsync(admin, "/api/v1/devices", new { name = "X valve", entityId = clientX });
        var yDevice = await PostIdAsync(admin, "/api/v1/devices", new { name = "Y valve", entityId = clientY });
        var email = $"x-{Guid.NewGuid():N}@client.example";

        var created = await admin.PostAsJsonAsync("/api/v1/users", new { email, password = "client-password-1", entityId = clientX, roles = new[] { "Client" } });
        var userId = (await created.Content.ReadFromJsonAsync<IdBody>())!.Id;
        using var user = await SignInAsync(email, "client-password-1");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var read = (await admin.GetFromJsonAsync<UserBody>($"/api/v1/users/{userId}"))!;
        Assert.Equal((clientX, "Client X"), (read.EntityId, read.EntityName));
        Assert.Equal(["Client"], read.Roles);
        Assert.Equal(["X valve"], (await user.GetFromJsonAsync<List<DeviceBody>>("/api/v1/devices"))!.Select(d => d.Name));
        Assert.Equal(HttpStatusCode.NotFound, (await user.GetAsync($"/api/v1/devices/{yDevice}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/api/v1/users")).StatusCode);
    }

    [Theory]
    [InlineData("""{"email":"not-an-email","password":"long-enough-1"}""", "email")]
    [InlineData("""{"email":"nul\u0000user@example.com","password":"long-enough-1"}""", "email")] // issue 13: validated as an address
    [InlineData("""{"email":"two words@example.com","password":"long-enough-1"}""", "email")]
    [InlineData("""{"email":"x@y@example.com","password":"long-enough-1"}""", "email")]
    [InlineData("""{"email":"Someone <someone@example.com>","password":"long-enough-1"}""", "email")]
    [InlineData("""{"email":"user@localhost","password":"long-enough-1"}""", "email")]
    [InlineData("""{"email":"rtl\u202E@example.com","password":"long-enough-1"}""", "email")]
    [InlineData("""{"email":"short@example.com","password":"short"}""", "password")]
    [InlineData("""{"email":"role@example.com","password":"long-enough-1","roles":["Emperor"]}""", "roles")]
    [InlineData("""{"email":"where@example.com","password":"long-enough-1","entityId":"00000000-0000-0000-0000-0000000000ee"}""", "entityId")]
    public async Task Invalid_users_get_field_errors(string body, string field)
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var response = await admin.PostAsync("/api/v1/users", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
    }

    [Fact]
    public async Task An_e_mail_address_is_used_once_whatever_its_case()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var email = $"Dup-{Guid.NewGuid():N}@example.com";
        await admin.PostAsJsonAsync("/api/v1/users", new { email, password = "long-enough-1" });

        var again = await admin.PostAsJsonAsync("/api/v1/users", new { email = email.ToUpperInvariant(), password = "long-enough-1" });

        Assert.Equal(["This e-mail address is already in use."], (await again.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!["email"]);
    }

    [Fact]
    public async Task A_disabled_user_can_neither_sign_in_nor_refresh()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var email = $"gone-{Guid.NewGuid():N}@example.com";
        var id = await PostIdAsync(admin, "/api/v1/users", new { email, password = "long-enough-1", roles = new[] { "Operator" } });
        using var anonymous = _app.CreateClient();
        var pair = (await (await anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email, password = "long-enough-1" })).Content.ReadFromJsonAsync<IoTRoutesApp.TokenBody>())!;

        var disable = await admin.PutAsJsonAsync($"/api/v1/users/{id}", new { isDisabled = true });

        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email, password = "long-enough-1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = pair.RefreshToken })).StatusCode);
        Assert.True((await admin.GetFromJsonAsync<UserBody>($"/api/v1/users/{id}"))!.IsDisabled);
    }

    [Fact]
    public async Task A_reset_password_works_once_and_must_then_be_changed()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var email = $"reset-{Guid.NewGuid():N}@example.com";
        var id = await PostIdAsync(admin, "/api/v1/users", new { email, password = "long-enough-1", roles = new[] { "Client" } });

        var reset = await admin.PostAsJsonAsync($"/api/v1/users/{id}/reset-password", new { password = "temporary-pass-2" });
        using var anonymous = _app.CreateClient();
        var withNew = await anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email, password = "temporary-pass-2" });

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withNew.StatusCode); // password change required before API use
        Assert.True((await admin.GetFromJsonAsync<UserBody>($"/api/v1/users/{id}"))!.MustChangePassword);
    }

    [Fact]
    public async Task A_user_manager_cannot_give_a_role_stronger_than_its_own()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var name = $"User keeper {Guid.NewGuid():N}";
        var keeperRole = (await (await admin.PostAsJsonAsync("/api/v1/roles", new { name, grants = new { Users = "Manage", Devices = "View" } }))
            .Content.ReadFromJsonAsync<IdBody>())!.Id;
        using var keeper = await _app.CreateClientForNewUserAsync(IoTRoutes.Core.Entities.RootEntity.Id, keeperRole);

        var asAdmin = await keeper.PostAsJsonAsync("/api/v1/users", new { email = $"esc-{Guid.NewGuid():N}@example.com", password = "long-enough-1", roles = new[] { "Administrator" } });
        var asClient = await keeper.PostAsJsonAsync("/api/v1/users", new { email = $"ok-{Guid.NewGuid():N}@example.com", password = "long-enough-1", roles = new[] { name } });

        Assert.Equal(HttpStatusCode.BadRequest, asAdmin.StatusCode);
        Assert.Contains("Administrator allows more than you may do yourself", await asAdmin.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, asClient.StatusCode);
    }

    [Fact]
    public async Task Nobody_can_reset_or_disable_a_user_who_may_do_more_than_they_may()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var keeperRole = (await (await admin.PostAsJsonAsync("/api/v1/roles", new
        {
            name = $"Password desk {Guid.NewGuid():N}", grants = new { Users = "Manage" }, actions = new[] { "Users.ResetPassword" },
        })).Content.ReadFromJsonAsync<IdBody>())!.Id;
        using var keeper = await _app.CreateClientForNewUserAsync(IoTRoutes.Core.Entities.RootEntity.Id, keeperRole);
        var adminId = (await admin.GetFromJsonAsync<List<UserBody>>("/api/v1/users"))!.Single(u => u.Email == IoTRoutesApp.AdminEmail).Id;
        var plainId = await PostIdAsync(admin, "/api/v1/users", new { email = $"plain-{Guid.NewGuid():N}@example.com", password = "long-enough-1" });

        var resetAdmin = await keeper.PostAsJsonAsync($"/api/v1/users/{adminId}/reset-password", new { password = "taken-over-99" });
        var disableAdmin = await keeper.PutAsJsonAsync($"/api/v1/users/{adminId}", new { isDisabled = true });
        var stripAdmin = await keeper.PutAsJsonAsync($"/api/v1/users/{adminId}", new { roles = Array.Empty<string>() });
        var resetPlain = await keeper.PostAsJsonAsync($"/api/v1/users/{plainId}/reset-password", new { password = "fresh-password-1" });

        foreach (var refused in new[] { resetAdmin, disableAdmin, stripAdmin })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("This user may do more than you", await refused.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.NoContent, resetPlain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/devices")).StatusCode); // the administrator is untouched
    }

    [Fact]
    public async Task A_disabled_users_access_token_stops_working_at_once()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var email = $"cut-{Guid.NewGuid():N}@example.com";
        var id = await PostIdAsync(admin, "/api/v1/users", new { email, password = "long-enough-1", roles = new[] { "Operator" } });
        using var user = await SignInAsync(email, "long-enough-1");
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/v1/devices")).StatusCode);

        await admin.PutAsJsonAsync($"/api/v1/users/{id}", new { isDisabled = true });

        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/api/v1/devices")).StatusCode);
    }

    [Fact]
    public async Task Nobody_can_disable_their_own_account()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var me = (await admin.GetFromJsonAsync<List<UserBody>>("/api/v1/users"))!.Single(u => u.Email == IoTRoutesApp.AdminEmail);

        var response = await admin.PutAsJsonAsync($"/api/v1/users/{me.Id}", new { isDisabled = true });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task<HttpClient> SignInAsync(string email, string password)
    {
        var client = _app.CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<IoTRoutesApp.TokenBody>())!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    private static async Task<Guid> PostIdAsync(HttpClient api, string path, object body)
    {
        var response = await api.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IdBody>())!.Id;
    }
}
