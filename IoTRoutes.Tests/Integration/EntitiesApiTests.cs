using System.Net;
using System.Net.Http.Json;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

public sealed class EntitiesApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    private sealed record IdBody(Guid Id);

    private sealed record EntityBody(Guid Id, string Name, string Type, Guid? ParentId, int Depth);

    [Fact]
    public async Task An_entity_is_created_under_the_callers_entity_by_default_and_devices_can_be_placed_in_it()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();

        var created = await api.PostAsJsonAsync("/api/v1/entities", new { name = "Acme", type = "Organisation" });
        var acme = (await created.Content.ReadFromJsonAsync<IdBody>())!;
        var customer = await (await api.PostAsJsonAsync("/api/v1/entities", new { name = "Client X", type = "Customer", parentId = acme.Id }))
            .Content.ReadFromJsonAsync<IdBody>();
        var device = await api.PostAsJsonAsync("/api/v1/devices", new { name = "X's sensor", entityId = customer!.Id });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/entities/{acme.Id}", created.Headers.Location!.OriginalString);
        var read = (await api.GetFromJsonAsync<EntityBody>($"/api/v1/entities/{customer.Id}"))!;
        Assert.Equal(("Client X", "Customer", acme.Id, 2), (read.Name, read.Type, read.ParentId, read.Depth));
        Assert.Equal(HttpStatusCode.Created, device.StatusCode);
        var deviceId = (await device.Content.ReadFromJsonAsync<CreatedDeviceBody>())!.Id;
        Assert.Equal(customer.Id, (await api.GetFromJsonAsync<DeviceBody>($"/api/v1/devices/{deviceId}"))!.EntityId);
        var listed = (await api.GetFromJsonAsync<List<EntityBody>>("/api/v1/entities"))!;
        Assert.Contains(listed, e => e.Id == acme.Id && e.Depth == 1);
    }

    [Fact]
    public async Task Renaming_moving_and_deleting_answer_with_problem_details_when_refused()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var parent = (await (await api.PostAsJsonAsync("/api/v1/entities", new { name = "Parent", type = "Organisation" })).Content.ReadFromJsonAsync<IdBody>())!;
        var child = (await (await api.PostAsJsonAsync("/api/v1/entities", new { name = "Child", type = "Customer", parentId = parent.Id })).Content.ReadFromJsonAsync<IdBody>())!;

        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsJsonAsync($"/api/v1/entities/{child.Id}", new { name = "Renamed" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PutAsJsonAsync($"/api/v1/entities/{child.Id}", new { name = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsJsonAsync($"/api/v1/entities/{parent.Id}/move", new { parentId = child.Id })).StatusCode);
        var notEmpty = await api.DeleteAsync($"/api/v1/entities/{parent.Id}");
        var missing = await api.DeleteAsync($"/api/v1/entities/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.Conflict, notEmpty.StatusCode);
        Assert.Equal("application/problem+json", notEmpty.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Parent still has 1 sub-entities", (await notEmpty.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/entities/{child.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/entities/{parent.Id}")).StatusCode);
    }

    [Fact]
    public async Task An_entity_with_audit_history_can_be_deleted_and_its_history_stays_with_the_parent()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var entity = (await (await api.PostAsJsonAsync("/api/v1/entities", new { name = "Short-lived", type = "Customer" })).Content.ReadFromJsonAsync<IdBody>())!.Id;
        var (email, password) = await _app.CreateUserAsync(entity);
        using (var anonymous = _app.CreateClient())
        {
            (await anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email, password })).EnsureSuccessStatusCode(); // audited under the entity
        }

        await using (var db = await _app.CreateDbContextAsync())
        {
            var userId = db.Users.Single(u => u.EntityId == entity).Id;
            db.UserRoles.RemoveRange(db.UserRoles.Where(r => r.UserId == userId));
            db.Users.Remove(db.Users.Single(u => u.Id == userId));
            await db.SaveChangesAsync();
        }

        var deleted = await api.DeleteAsync($"/api/v1/entities/{entity}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await using var check = await _app.CreateDbContextAsync();
        Assert.Equal(IoTRoutes.Core.Entities.RootEntity.Id, check.AuditEntries.Single(a => a.UserEmail == email).EntityId);
    }

    [Theory]
    [InlineData("""{"name":"X","type":"Galaxy"}""")]
    [InlineData("""{"name":"X","type":"Platform"}""")]
    [InlineData("""{"name":"","type":"Customer"}""")]
    [InlineData("""{"name":"X","type":"Customer","parentId":"00000000-0000-0000-0000-0000000000ff"}""")]
    public async Task Invalid_entities_get_400_problem_details(string body)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var response = await api.PostAsync("/api/v1/entities", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }
}
