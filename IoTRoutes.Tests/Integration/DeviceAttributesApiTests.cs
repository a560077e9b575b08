using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

/// <summary>
/// Device attributes over the REST API: set with a JSON value as the body, listed with who and when, deleted (audited);
/// bad keys and values are 400 problems, a client may read but not change them, another entity sees no device.
/// </summary>
public abstract class DeviceAttributesApiTests(IoTRoutesApp app)
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task Attributes_are_set_from_their_json_value_listed_by_key_with_who_and_when_and_deleted()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Boiler");

        var statuses = new[]
        {
            (await PutAsync(api, device.Id, "floor", "3")).StatusCode,
            (await PutAsync(api, device.Id, "room", "\"B12\"")).StatusCode,
            (await PutAsync(api, device.Id, "maxTemp", "28.5")).StatusCode,
            (await PutAsync(api, device.Id, "heated", "true")).StatusCode,
            (await PutAsync(api, device.Id, "floor", "4")).StatusCode,
        };
        var listed = (await api.GetFromJsonAsync<List<AttributeBody>>($"/api/v1/devices/{device.Id}/attributes"))!;

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.NoContent, s));
        Assert.Equal([("floor", "4"), ("heated", "true"), ("maxTemp", "28.5"), ("room", "\"B12\"")], listed.Select(a => (a.Key, a.Value!.ToJsonString())));
        Assert.All(listed, a => Assert.Equal(IoTRoutesApp.AdminEmail, a.UpdatedBy));
        Assert.All(listed, a => Assert.True(a.UpdatedAt > DateTimeOffset.UtcNow.AddMinutes(-5)));

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/devices/{device.Id}/attributes/room")).StatusCode);
        var missing = await api.DeleteAsync($"/api/v1/devices/{device.Id}/attributes/room");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("The device has no attribute room.", (await missing.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);
        Assert.Equal(3, (await api.GetFromJsonAsync<List<AttributeBody>>($"/api/v1/devices/{device.Id}/attributes"))!.Count);
        var audit = (await api.GetFromJsonAsync<List<AuditBody>>("/api/v1/audit?action=Device.AttributeSet"))!.Where(e => e.Target!.Contains(device.Key)).ToList();
        Assert.Equal(["floor = 3", "floor = 4", "heated = true", "maxTemp = 28.5", "room = \"B12\""], audit.Select(e => e.Details!).Order(StringComparer.Ordinal));
        Assert.Single((await api.GetFromJsonAsync<List<AuditBody>>("/api/v1/audit?action=Device.AttributeDeleted"))!, e => e.Target!.Contains(device.Key) && e.Details == "room");
    }

    [Theory]
    [InlineData("max-temp", "3", "key")]
    [InlineData("floor", """{"level":3}""", "value")]
    [InlineData("floor", "[3]", "value")]
    [InlineData("floor", "null", "value")]
    [InlineData("floor", "", "value")]
    public async Task A_bad_key_or_value_is_a_400_problem_naming_the_field(string key, string body, string field)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Strict");

        var response = await PutAsync(api, device.Id, key, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        Assert.Empty((await api.GetFromJsonAsync<List<AttributeBody>>($"/api/v1/devices/{device.Id}/attributes"))!);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_and_an_unknown_device_a_404_on_every_route()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Parsed");
        var unknown = Guid.NewGuid();

        var malformed = await PutAsync(api, device.Id, "floor", "{\"level\":");
        var get = await api.GetAsync($"/api/v1/devices/{unknown}/attributes");
        var put = await PutAsync(api, unknown, "floor", "3");
        var delete = await api.DeleteAsync($"/api/v1/devices/{unknown}/attributes/floor");

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound), (get.StatusCode, put.StatusCode, delete.StatusCode));
        Assert.Equal($"There is no device {unknown}.", (await delete.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);
    }

    [Fact]
    public async Task A_client_reads_attributes_but_gets_403_changing_them_and_another_entity_sees_no_device()
    {
        using var root = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(root, "Shared");
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(root, device.Id, "floor", "2")).StatusCode);
        var branch = await root.PostIdAsync("/api/v1/entities", new { name = $"Branch {Guid.NewGuid():N}"[..20], type = "Organisation" });
        using var branchAdmin = await _app.CreateClientForNewUserAsync(branch, BuiltInRoles.AdministratorId);
        using var client = await _app.CreateClientForNewUserAsync(IoTRoutes.Core.Entities.RootEntity.Id, BuiltInRoles.ClientId);

        var clientReads = await client.GetFromJsonAsync<List<AttributeBody>>($"/api/v1/devices/{device.Id}/attributes");
        var clientSets = await PutAsync(client, device.Id, "floor", "9");
        var clientDeletes = await client.DeleteAsync($"/api/v1/devices/{device.Id}/attributes/floor");
        var branchReads = await branchAdmin.GetAsync($"/api/v1/devices/{device.Id}/attributes");
        var branchSets = await PutAsync(branchAdmin, device.Id, "floor", "9");

        Assert.Equal("2", Assert.Single(clientReads!).Value!.ToJsonString());
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (clientSets.StatusCode, clientDeletes.StatusCode));
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (branchReads.StatusCode, branchSets.StatusCode));
        Assert.Equal("2", Assert.Single((await root.GetFromJsonAsync<List<AttributeBody>>($"/api/v1/devices/{device.Id}/attributes"))!).Value!.ToJsonString());
    }

    private sealed record AttributeBody(string Key, JsonNode? Value, DateTimeOffset UpdatedAt, string UpdatedBy);

    private sealed record AuditBody(string User, string Action, string? Target, string? Details);

    private static Task<HttpResponseMessage> PutAsync(HttpClient api, Guid deviceId, string key, string json) =>
        api.PutAsync($"/api/v1/devices/{deviceId}/attributes/{key}", new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<CreatedDeviceBody> CreateDeviceAsync(HttpClient api, string name)
    {
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)] });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
    }
}

public sealed class SqliteDeviceAttributesApiTests(SqliteApp app) : DeviceAttributesApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlDeviceAttributesApiTests(PostgreSqlApp app) : DeviceAttributesApiTests(app), IClassFixture<PostgreSqlApp>;
