using System.Net;
using System.Net.Http.Json;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Integration;

/// <summary>Every API route is bound to one permission, and the permission and the entity scope hold through the API.</summary>
public sealed class PermissionsApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    // Sign-in, and a device's own media upload (authenticated by the device's key and secret, not by a user's token).
    private static readonly string[] AnonymousRoutes = ["api/v1/auth/token", "api/v1/auth/refresh", "api/v1/auth/revoke", "api/v1/devices/{id:guid}/media", "api/v1/certificates/ca.pem"];

    private readonly IoTRoutesApp _app = app.Started();

    private sealed record IdBody(Guid Id);

    [Fact]
    public void Every_api_route_is_bound_to_exactly_one_permission_except_the_documented_anonymous_ones()
    {
        var endpoints = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("api/", StringComparison.Ordinal))
            .ToList();

        Assert.True(endpoints.Count >= 14, $"only {endpoints.Count} API endpoints found");
        foreach (var endpoint in endpoints)
        {
            var route = endpoint.RoutePattern.RawText!.TrimStart('/');
            var permissions = endpoint.Metadata.GetOrderedMetadata<PermissionMetadata>();
            if (AnonymousRoutes.Contains(route))
            {
                Assert.Empty(permissions);
            }
            else
            {
                Assert.True(permissions.Count == 1, $"{endpoint.DisplayName} ({route}) has {permissions.Count} permissions");
            }
        }
    }

    [Fact]
    public async Task A_client_user_sees_only_its_own_entitys_devices_and_a_sibling_device_is_404()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var acme = await CreateEntityAsync(admin, "Acme", "Organisation", null);
        var clientX = await CreateEntityAsync(admin, "Client X", "Customer", acme);
        var clientY = await CreateEntityAsync(admin, "Client Y", "Customer", acme);
        var deviceX = await CreateDeviceAsync(admin, "X meter", clientX);
        var deviceY = await CreateDeviceAsync(admin, "Y meter", clientY);
        using var userX = await _app.CreateClientForNewUserAsync(clientX, BuiltInRoles.ClientId);

        var listed = (await userX.GetFromJsonAsync<List<DeviceBody>>("/api/v1/devices"))!;
        var own = await userX.GetAsync($"/api/v1/devices/{deviceX.Id}");
        var sibling = await userX.GetAsync($"/api/v1/devices/{deviceY.Id}");
        var siblingMessages = await userX.GetAsync($"/api/v1/devices/{deviceY.Id}/messages");
        var siblingEntity = await userX.PostAsJsonAsync("/api/v1/devices", new { name = "planted", entityId = clientY });

        Assert.Equal(["X meter"], listed.Select(d => d.Name));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, sibling.StatusCode);
        Assert.Equal($"There is no device {deviceY.Id}.", (await sibling.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);
        Assert.Equal(HttpStatusCode.NotFound, siblingMessages.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, siblingEntity.StatusCode); // a Client may not create devices at all
    }

    [Fact]
    public async Task A_route_the_users_roles_do_not_allow_answers_403_problem_details()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var entity = await CreateEntityAsync(admin, "Viewer's place", "Customer", null);
        using var client = await _app.CreateClientForNewUserAsync(entity, BuiltInRoles.ClientId);
        using var nobody = await _app.CreateClientForNewUserAsync(entity);

        var create = await client.PostAsJsonAsync("/api/v1/devices", new { name = "not allowed" });
        var entities = await client.GetAsync("/api/v1/entities");
        var stats = await nobody.GetAsync("/api/v1/messages/stats");

        foreach (var response in new[] { create, entities, stats })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
    }

    [Fact]
    public async Task An_operator_manages_devices_but_only_views_entities()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var entity = await CreateEntityAsync(admin, "Operated", "Organisation", null);
        using var operatorClient = await _app.CreateClientForNewUserAsync(entity, BuiltInRoles.OperatorId);

        Assert.Equal(HttpStatusCode.Created, (await operatorClient.PostAsJsonAsync("/api/v1/devices", new { name = "pump" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync("/api/v1/entities")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsJsonAsync("/api/v1/entities", new { name = "x", type = "Customer" })).StatusCode);
    }

    private static async Task<Guid> CreateEntityAsync(HttpClient api, string name, string type, Guid? parentId)
    {
        var response = await api.PostAsJsonAsync("/api/v1/entities", new { name, type, parentId });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IdBody>())!.Id;
    }

    private static async Task<CreatedDeviceBody> CreateDeviceAsync(HttpClient api, string name, Guid entityId)
    {
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name, entityId });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
    }
}
