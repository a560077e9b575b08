using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

/// <summary>Device Repository codecs imported through the API as Script formats, their examples run as test cases.</summary>
public sealed class FormatImportApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    private static readonly string Script = Fixture("thp-1.js");
    private static readonly string CodecYaml = Fixture("thp-1-codec.yaml");

    [Fact]
    public async Task A_codec_becomes_a_script_format_named_after_its_file_whose_examples_ran_as_test_cases_and_passed()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();

        var response = await api.PostAsJsonAsync("/api/v1/formats/import", new { script = Script, codecYaml = CodecYaml, topicPattern = "devices/+/up" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var imported = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = imported["id"]!.GetValue<Guid>();
        Assert.Equal($"/api/v1/formats/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal(4, imported["testCases"]!.GetValue<int>());
        Assert.All(imported["testResults"]!.AsArray(), r => Assert.True(r!["passed"]!.GetValue<bool>(), r.ToJsonString()));
        Assert.Contains(imported["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("1 downlinkEncoder example(s) not imported"));

        var format = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/formats/{id}"))!;
        Assert.Equal(("thp-1", "Script", "Telemetry", "devices/+/up", 2), (format["name"]!.GetValue<string>(), format["kind"]!.GetValue<string>(),
            format["exchangeType"]!.GetValue<string>(), format["topicPattern"]!.GetValue<string>(), format["fPort"]!.GetValue<int>()));
        Assert.Equal(Script, format["settings"]!["script"]!.GetValue<string>());
        Assert.Equal(["01 00 D7 02 61 03 01 2C FF 96", "01 FF CE", "07 00", ""], format["testCases"]!.AsArray().Select(t => t!["input"]!.GetValue<string>()));
        Assert.Equal("unknown fPort 9", format["testCases"]![3]!["expectedError"]!.GetValue<string>());
        Assert.Equal(4, format["testResults"]!.AsArray().Count(r => r!["passed"]!.GetValue<bool>()));

        var tried = (await (await api.PostAsJsonAsync($"/api/v1/formats/{id}/try", new { payload = "0100D7FF96", encoding = "hex" })).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal([("air.temperature", "°C"), ("battery", "V")], tried["fields"]!.AsArray().Select(f => (f!["name"]!.GetValue<string>(), f["unit"]!.GetValue<string>())));
    }

    [Fact]
    public async Task An_example_the_script_does_not_pass_is_reported_as_failing_and_nothing_is_created()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var name = Unique("THP wrong");

        var response = await api.PostAsJsonAsync("/api/v1/formats/import", new { name, script = Script, codecYaml = CodecYaml.Replace("temperature: 21.50", "temperature: 22.5") });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!;
        var failure = Assert.Single(errors).Value[0];
        Assert.Equal("testCases.Temperature, humidity, pressure and battery", errors.Keys.Single());
        Assert.Contains("\"temperature\":22.5", failure);
        Assert.Contains("\"temperature\":21.5", failure);
        Assert.DoesNotContain(name, await api.GetStringAsync("/api/v1/formats"));
    }

    [Fact]
    public async Task A_command_format_takes_the_downlink_decoders_examples()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();

        var response = await api.PostAsJsonAsync("/api/v1/formats/import", new { name = Unique("THP commands"), script = Script, codecYaml = CodecYaml, exchangeType = "Command" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var imported = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var result = Assert.Single(imported["testResults"]!.AsArray())!;
        Assert.Equal(("Report every 15 minutes", true), (result["name"]!.GetValue<string>(), result["passed"]!.GetValue<bool>()));
        var encoded = (await (await api.PostAsJsonAsync($"/api/v1/formats/{imported["id"]}/encode", new { data = new { interval = 90 } })).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("""{"interval":90}""", encoded["decoded"]!["data"]!.ToJsonString());
    }

    [Theory]
    [InlineData("codecYaml", "uplinkDecoder: [unclosed", null, "codecYaml")]
    [InlineData("codecYaml", "downlinkEncoder:\n  fileName: thp-1.js\n", null, "codecYaml.uplinkDecoder")]
    [InlineData("codecYaml", "uplinkDecoder:\n  examples:\n    - input: {fPort: 2, bytes: [0x1FF]}\n      output: {data: {}}\n", null, "codecYaml.uplinkDecoder.examples[0].input.bytes[0]")]
    [InlineData("script", "function decodeUplink(input) { return {", null, "script")]
    [InlineData("script", "function somethingElse() {}", null, "script")]
    [InlineData("script", "", null, "script")]
    [InlineData("exchangeType", "Sideways", null, "exchangeType")]
    [InlineData("codec", "x", null, "codec")]
    [InlineData("name", "", "uplinkDecoder:\n  examples: []\n", "name")]
    public async Task Files_that_cannot_make_a_format_are_field_errors_never_a_server_error(string field, string value, string? codecYaml, string errorKey)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var body = new JsonObject { ["name"] = Unique("THP bad"), ["script"] = Script, ["codecYaml"] = codecYaml ?? CodecYaml };
        body[field] = value;

        var response = await api.PostAsJsonAsync("/api/v1/formats/import", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!;
        Assert.True(errors.ContainsKey(errorKey), string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")));
    }

    [Fact]
    public async Task Importing_needs_the_permission_to_create_formats()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var entity = await admin.PostAsJsonAsync("/api/v1/entities", new { name = Unique("Importers"), type = "Customer" });
        using var client = await _app.CreateClientForNewUserAsync((await entity.Content.ReadFromJsonAsync<IdBody>())!.Id, IoTRoutes.Core.Security.Permissions.BuiltInRoles.ClientId);

        var response = await client.PostAsJsonAsync("/api/v1/formats/import", new { name = Unique("THP"), script = Script, codecYaml = CodecYaml });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "DeviceRepository", name));

    private static string Unique(string name) => $"{name} {Guid.NewGuid():N}"[..(name.Length + 13)];
}
