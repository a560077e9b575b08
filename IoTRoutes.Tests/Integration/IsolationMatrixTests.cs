using System.Net;
using System.Net.Http.Json;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

/// <summary>
/// Root > Parent > (Caller's entity > Child, Sibling). Each entity owns a device, a user and that user's sign-in
/// in the audit log. An administrator of the caller's entity sees its own and the child's, and nothing of the
/// parent's or the sibling's: those answer exactly like things that do not exist.
/// </summary>
public sealed class IsolationWorld : IAsyncLifetime
{
    public IoTRoutesApp App { get; } = new SqliteApp();

    public Dictionary<string, Owned> Entities { get; } = [];

    public HttpClient Caller { get; private set; } = null!;

    public sealed record Owned(Guid EntityId, Guid DeviceId, Guid UserId, string UserEmail);

    private sealed record IdBody(Guid Id);

    public async Task InitializeAsync()
    {
        App.Started();
        using var root = await App.CreateAuthenticatedClientAsync();
        var parent = await CreateAsync(root, "parent", null);
        var own = await CreateAsync(root, "same", parent);
        await CreateAsync(root, "child", own);
        await CreateAsync(root, "sibling", parent);
        Caller = await App.CreateClientForNewUserAsync(own, BuiltInRoles.AdministratorId);
    }

    public async Task DisposeAsync()
    {
        Caller.Dispose();
        await App.DisposeAsync();
    }

    private async Task<Guid> CreateAsync(HttpClient root, string name, Guid? parentId)
    {
        var entity = await PostIdAsync(root, "/api/v1/entities", new { name, type = "Organisation", parentId });
        var device = await PostIdAsync(root, "/api/v1/devices", new { name = $"{name} device", entityId = entity });
        var email = $"{name}-{Guid.NewGuid():N}@example.com";
        var user = await PostIdAsync(root, "/api/v1/users", new { email, password = "long-enough-1", entityId = entity, roles = new[] { "Client" } });
        using var anonymous = App.CreateClient();
        (await anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email, password = "long-enough-1" })).EnsureSuccessStatusCode();
        Entities[name] = new Owned(entity, device, user, email);
        return entity;
    }

    private static async Task<Guid> PostIdAsync(HttpClient api, string path, object body)
    {
        var response = await api.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IdBody>())!.Id;
    }
}

public sealed class IsolationMatrixTests(IsolationWorld world) : IClassFixture<IsolationWorld>
{
    public static TheoryData<string, string, bool> Matrix()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var obj in new[] { "device", "messages", "entity", "user", "audit" })
        {
            data.Add(obj, "same", true);
            data.Add(obj, "child", true);
            data.Add(obj, "sibling", false);
            data.Add(obj, "parent", false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task An_object_is_visible_exactly_within_the_callers_entity_and_below(string obj, string relation, bool visible)
    {
        var owned = world.Entities[relation];

        if (obj == "audit")
        {
            var entries = await world.Caller.GetStringAsync($"/api/v1/audit?user={Uri.EscapeDataString(owned.UserEmail)}");
            Assert.Equal(visible, entries.Contains(owned.UserEmail));
            return;
        }

        var (path, list) = obj switch
        {
            "device" => ($"/api/v1/devices/{owned.DeviceId}", "/api/v1/devices"),
            "messages" => ($"/api/v1/devices/{owned.DeviceId}/messages", null),
            "entity" => ($"/api/v1/entities/{owned.EntityId}", "/api/v1/entities"),
            _ => ($"/api/v1/users/{owned.UserId}", "/api/v1/users"),
        };
        var response = await world.Caller.GetAsync(path);
        Assert.Equal(visible ? HttpStatusCode.OK : HttpStatusCode.NotFound, response.StatusCode);
        if (list is not null)
        {
            var id = obj switch { "device" => owned.DeviceId, "entity" => owned.EntityId, _ => owned.UserId };
            Assert.Equal(visible, (await world.Caller.GetStringAsync(list)).Contains(id.ToString()));
        }
    }

    [Theory]
    [InlineData("sibling")]
    [InlineData("parent")]
    public async Task Writes_into_an_entity_outside_the_callers_are_refused_as_if_it_did_not_exist(string relation)
    {
        var owned = world.Entities[relation];

        var device = await world.Caller.PostAsJsonAsync("/api/v1/devices", new { name = "planted", entityId = owned.EntityId });
        var entity = await world.Caller.PostAsJsonAsync("/api/v1/entities", new { name = "planted", type = "Customer", parentId = owned.EntityId });
        var user = await world.Caller.PostAsJsonAsync("/api/v1/users", new { email = $"p-{Guid.NewGuid():N}@x.example", password = "long-enough-1", entityId = owned.EntityId });
        var disable = await world.Caller.PutAsJsonAsync($"/api/v1/users/{owned.UserId}", new { isDisabled = true });
        var rename = await world.Caller.PutAsJsonAsync($"/api/v1/entities/{owned.EntityId}", new { name = "taken" });
        var secret = await world.Caller.PostAsync($"/api/v1/devices/{owned.DeviceId}/regenerate-secret", null);
        var reset = await world.Caller.PostAsJsonAsync($"/api/v1/users/{owned.UserId}/reset-password", new { password = "taken-over-1" });

        foreach (var refused in new[] { device, entity, user })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains($"There is no entity {owned.EntityId}.", await refused.Content.ReadAsStringAsync());
        }

        foreach (var missing in new[] { disable, rename, secret, reset })
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
    }
}
