using System.Net;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

/// <summary>The first start as the README runs it: a new data directory, no administrator password configured.</summary>
public sealed class FirstStartApp() : IoTRoutesApp(TestDatabase.Sqlite())
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("IoTRoutes:Admin:Password", "")];
}

public sealed class FirstStartTests(FirstStartApp app) : IClassFixture<FirstStartApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task A_first_start_and_a_first_look_around_log_no_warning()
    {
        using var anonymous = _app.CreateClient();
        using var admin = await _app.CreateClientForNewUserAsync(RootEntity.Id, BuiltInRoles.AdministratorId);

        var visited = new List<HttpResponseMessage>
        {
            await anonymous.GetAsync("/health"),
            await anonymous.GetAsync("/account/login"),
            await anonymous.GetAsync("/api-reference"),
            await anonymous.GetAsync("/openapi/v1.json"),
            await anonymous.GetAsync("/api/v1/certificates/ca.pem"),
        };
        foreach (var path in new[] { "roles", "users", "entities", "devices", "brokers", "formats", "profiles", "workflows", "jobs", "alerts", "communicators", "files", "audit" })
        {
            visited.Add(await admin.GetAsync($"/api/v1/{path}"));
        }

        Assert.All(visited, r => Assert.True(r.StatusCode == HttpStatusCode.OK, $"{r.RequestMessage!.RequestUri}: {(int)r.StatusCode}"));
        Assert.True(_app.Warnings.Lines.Count == 0, $"The app logged:{Environment.NewLine}{_app.Warnings}");
    }
}
