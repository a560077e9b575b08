using System.Net;
using System.Text.RegularExpressions;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

public sealed class StaticAssetsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task The_sign_in_page_links_styles_and_scripts_that_are_served()
    {
        using var client = _app.CreateClient();
        var html = await client.GetStringAsync("/account/login");

        var assets = Regex.Matches(html, "(?:href|src)=\"(_content/[^\"]+|_framework/[^\"]+|app[^\"]*\\.css)\"").Select(m => m.Groups[1].Value).ToList();

        Assert.Contains(assets, a => a.StartsWith("_content/MudBlazor/MudBlazor.min"));
        Assert.Contains(assets, a => a.StartsWith("_framework/blazor.web"));
        foreach (var asset in assets)
        {
            var response = await client.GetAsync("/" + asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}");
        }
    }
}
