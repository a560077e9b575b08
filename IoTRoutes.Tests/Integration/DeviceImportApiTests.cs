using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

/// <summary>Bulk provisioning over the API: a dry run per row, then all devices or none, their credentials once.</summary>
public sealed class DeviceImportApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task A_dry_run_answers_each_row_with_its_errors_and_creates_nothing()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var site = await EntityAsync(api, Unique("Site"), null);
        var elsewhere = await EntityAsync(api, Unique("Elsewhere"), null);
        var profile = await ProfileAsync(api, Unique("Meters"), elsewhere.Id);
        var existing = await api.CreateDeviceAsync(Unique("Existing"), site.Id);
        var before = await CountDevicesAsync(api);
        var csv = $"""
            name,entity,profile
            Pump 1,{site.Name},
            ,{site.Name},
            Pump 2,Atlantis,
            Pump 3,{site.Id},Nope
            Pump 1,{site.Name.ToUpperInvariant()},
            Pump 4,{site.Name},{profile.Name}
            "Pump, five",{site.Id},
            {existing.Name.ToLowerInvariant()},{site.Name},
            """;

        var response = await PostCsvAsync(api, "/api/v1/devices/import?dryRun=true", csv);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var rows = preview["rows"]!.AsArray().Select(r => (Line: r!["line"]!.GetValue<int>(), Name: r["name"]!.GetValue<string>(),
            Errors: string.Join(" ", r["errors"]!.AsArray().Select(e => e!.GetValue<string>())))).ToList();
        Assert.Equal([2, 3, 4, 5, 6, 7, 8, 9], rows.Select(r => r.Line));
        Assert.Equal("", rows[0].Errors);
        Assert.Equal("Give the device a name.", rows[1].Errors);
        Assert.Equal("There is no entity named Atlantis.", rows[2].Errors);
        Assert.Equal("There is no profile named Nope.", rows[3].Errors);
        Assert.Equal($"Line 2 already has a device named Pump 1 in {site.Name}.", rows[4].Errors);
        Assert.Equal($"Profile {profile.Name} belongs to another branch of the entity tree: a profile serves its entity and those below it.", rows[5].Errors);
        Assert.Equal(("Pump, five", ""), (rows[6].Name, rows[6].Errors));
        Assert.Equal($"{site.Name} already has a device named {existing.Name.ToLowerInvariant()}.", rows[7].Errors);
        Assert.False(preview["canImport"]!.GetValue<bool>());
        Assert.Equal(before, await CountDevicesAsync(api));
    }

    [Fact]
    public async Task An_import_creates_every_device_and_answers_credentials_as_csv_that_connect()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var site = await EntityAsync(api, Unique("Plant"), null);
        var profile = await ProfileAsync(api, Unique("Pumps"), site.Id);
        var (first, second) = (Unique("Valve"), Unique("=Formula"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/devices/import")
        {
            Content = new StringContent($"Name;Profile;Entity\r\n{first};{profile.Id};{site.Name}\r\n{second};;{site.Id}\r\n", Encoding.UTF8, "text/csv"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var response = await api.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("device-credentials.csv", response.Content.Headers.ContentDisposition!.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("name,key,secret,entity,profile,id", lines[0]);
        Assert.Equal(3, lines.Length);
        var valve = lines[1].Split(',');
        Assert.Equal((first, site.Name, profile.Name), (valve[0], valve[3], valve[4]));
        Assert.Contains("'=Formula", lines[2]); // escaped, so a spreadsheet shows it rather than running it
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, valve[1], valve[2]);
        Assert.True(client.IsConnected);
        var devices = (await api.GetFromJsonAsync<JsonArray>("/api/v1/devices"))!;
        var created = devices.Single(d => d!["key"]!.GetValue<string>() == valve[1])!;
        Assert.Equal((site.Id, profile.Id), (created["entityId"]!.GetValue<Guid>(), created["profileId"]!.GetValue<Guid>()));
        var audit = (await api.GetFromJsonAsync<JsonArray>("/api/v1/audit?action=Device.Created"))!.Select(e => e!["details"]!.GetValue<string>()).ToList();
        Assert.Contains($"in {site.Name}, profile {profile.Name}, from a CSV import (line 2)", audit);
    }

    [Fact]
    public async Task A_file_with_one_bad_row_creates_nothing_and_the_400_names_the_line()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var before = await CountDevicesAsync(api);

        var response = await PostCsvAsync(api, "/api/v1/devices/import", $"name,entity\n{Unique("Fine")},\n{Unique("Lost")},Nowhere\n");
        var json = await api.PostAsJsonAsync("/api/v1/devices/import", new { name = "x" });
        var noName = await PostCsvAsync(api, "/api/v1/devices/import?dryRun=true", "label,entity\nx,y\n");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>())!;
        Assert.Equal("Nothing was imported: the file has errors.", problem.Title);
        Assert.Equal(["There is no entity named Nowhere."], problem.Errors!["line 3"]);
        Assert.Equal(before, await CountDevicesAsync(api));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        var file = (await noName.Content.ReadFromJsonAsync<JsonObject>())!["problems"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        Assert.Contains("Unknown column(s) \"label\": the columns are name, entity and profile.", file);
    }

    [Fact]
    public async Task The_permission_and_the_entity_scope_hold()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var mine = await EntityAsync(admin, Unique("Mine"), null);
        var theirs = await EntityAsync(admin, Unique("Theirs"), null);
        using var client = await _app.CreateClientForNewUserAsync(mine.Id, BuiltInRoles.ClientId);
        using var operatorApi = await _app.CreateClientForNewUserAsync(mine.Id, BuiltInRoles.OperatorId);

        var forbidden = await PostCsvAsync(client, "/api/v1/devices/import?dryRun=true", "name\nx\n");
        var preview = (await (await PostCsvAsync(operatorApi, "/api/v1/devices/import?dryRun=true",
            $"name,entity\nA,{theirs.Name}\nB,{theirs.Id}\nC,\n")).Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var rows = preview["rows"]!.AsArray();
        Assert.Equal($"There is no entity named {theirs.Name}.", rows[0]!["errors"]![0]!.GetValue<string>());
        Assert.Equal($"There is no entity {theirs.Id}.", rows[1]!["errors"]![0]!.GetValue<string>());
        Assert.Equal(mine.Name, rows[2]!["entity"]!.GetValue<string>()); // no entity: the caller's own
    }

    private sealed record Named(Guid Id, string Name);

    private static async Task<HttpResponseMessage> PostCsvAsync(HttpClient api, string path, string csv) =>
        await api.PostAsync(path, new StringContent(csv, Encoding.UTF8, "text/csv"));

    private static async Task<Named> EntityAsync(HttpClient api, string name, Guid? parentId)
    {
        var response = await api.PostAsJsonAsync("/api/v1/entities", new { name, type = "Organisation", parentId });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return new((await response.Content.ReadFromJsonAsync<IdBody>())!.Id, name);
    }

    private static async Task<Named> ProfileAsync(HttpClient api, string name, Guid entityId)
    {
        var response = await api.PostAsJsonAsync("/api/v1/profiles", new { name, entityId, formatIds = Array.Empty<Guid>() });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return new((await response.Content.ReadFromJsonAsync<IdBody>())!.Id, name);
    }

    private static async Task<int> CountDevicesAsync(HttpClient api) => (await api.GetFromJsonAsync<JsonArray>("/api/v1/devices"))!.Count;

    private static string Unique(string name) => $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)];
}
