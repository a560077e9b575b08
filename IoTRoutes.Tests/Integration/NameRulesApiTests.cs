using System.Net;
using System.Net.Http.Json;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

/// <summary>Names that would mislead a page, a CSV export or a log are refused on every kind of named thing (issue 13, item 5).</summary>
public sealed class NameRulesApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    public static TheoryData<string, string> Misleading => new()
    {
        { "devices", "valve\u0000one" },
        { "devices", "\u001b[31mred alert" },
        { "devices", "invoice\u202Egnp.exe" },
        { "entities", "Acme\u200BCorp" },
        { "entities", "tab\there" },
        { "entities", "end\uFFFF" },
        { "roles", "Operator\u2066" },
        { "roles", "line\nbreak" },
        { "roles", "bom\uFEFF" },
        { "brokers", "bench\u0007bell" },
        { "brokers", "\u202Erekorb" },
    };

    [Theory]
    [MemberData(nameof(Misleading))]
    public async Task A_name_with_control_bidi_or_invisible_characters_gets_a_field_error(string collection, string name)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();

        var response = await api.PostAsJsonAsync($"/api/v1/{collection}", Body(collection, name));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>())!;
        Assert.StartsWith("Names ", Assert.Single(problem.Errors!["name"]));
    }

    [Theory]
    [InlineData("devices")]
    [InlineData("entities")]
    [InlineData("roles")]
    [InlineData("brokers")]
    public async Task A_name_is_stored_trimmed_and_in_nfc(string collection)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var unique = Guid.NewGuid().ToString("N")[..8];

        var created = await api.PostAsJsonAsync($"/api/v1/{collection}", Body(collection, $"  Cafe\u0301 {unique} "));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<IdBody>())!.Id;
        var stored = await api.GetFromJsonAsync<NameBody>($"/api/v1/{collection}/{id}");

        Assert.Equal($"Caf\u00e9 {unique}", stored!.Name);
    }

    private static object Body(string collection, string name) => collection switch
    {
        "entities" => new { name, type = "Organisation" },
        "brokers" => new { name, port = FreePort.Next(), bindAddress = "127.0.0.1" },
        _ => new { name },
    };

    private sealed record IdBody(Guid Id);

    private sealed record NameBody(string Name);
}
