using System.Text.Json.Nodes;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

public sealed class ApiReferenceTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private const int MaxSummaryWords = 6;
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task Every_operation_has_a_short_title_as_summary_and_the_long_text_as_description()
    {
        var operations = await OperationsAsync();

        Assert.True(operations.Count >= 100, $"only {operations.Count} operations in the document");
        var problems = new List<string>();
        foreach (var (where, operation) in operations)
        {
            var summary = operation["summary"]?.GetValue<string>() ?? "";
            var description = operation["description"]?.GetValue<string>() ?? "";
            var words = summary.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            if (words is 0 or > MaxSummaryWords) problems.Add($"{where}: summary of {words} words \"{summary}\"");
            if (summary.EndsWith('.') || summary.Contains(';')) problems.Add($"{where}: the summary \"{summary}\" is a sentence, not a title");
            if (description.Length <= summary.Length) problems.Add($"{where}: the description \"{description}\" is no longer than the summary \"{summary}\"");
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task The_introduction_shows_the_whole_authorization_header()
    {
        using var client = _app.CreateClient();
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

        var introduction = document["info"]!["description"]!.GetValue<string>();

        Assert.Contains("Authorization: Bearer <accessToken>", introduction);
        Assert.Contains("POST /api/v1/auth/token", introduction);
    }

    [Fact]
    public async Task The_reference_page_turns_off_the_third_party_features_and_the_fonts_from_a_cdn()
    {
        using var client = _app.CreateClient();
        var html = await client.GetStringAsync("/api-reference");

        foreach (var setting in new[] { "\"telemetry\":false", "\"withDefaultFonts\":false", "\"agent\":{\"disabled\":true}", "\"mcp\":{\"disabled\":true}", "\"hideClientButton\":true" })
        {
            Assert.Contains(setting, html.Replace(" ", ""));
        }
    }

    private async Task<List<(string Where, JsonObject Operation)>> OperationsAsync()
    {
        using var client = _app.CreateClient();
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        return document["paths"]!.AsObject()
            .SelectMany(path => Methods.Where(m => path.Value![m] is not null).Select(m => ($"{m.ToUpperInvariant()} {path.Key}", path.Value![m]!.AsObject())))
            .ToList();
    }
}
