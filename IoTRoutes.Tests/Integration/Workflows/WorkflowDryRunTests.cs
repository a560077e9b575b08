using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using static IoTRoutes.Tests.Integration.Workflows.WorkflowsApiTests;

namespace IoTRoutes.Tests.Integration.Workflows;

/// <summary>Dry runs of the draft and the workflow's test cases: traces and would-be effects, nothing done.</summary>
public sealed class WorkflowDryRunTests(WorkflowsApp app) : IClassFixture<WorkflowsApp>
{
    private readonly WorkflowsApp _app = (WorkflowsApp)app.Started();

    private const string Branches = """
        {"nodes":[{"id":"in","type":"OnMessage"},{"id":"ops","type":"Notify","settings":{"to":"ops"}},{"id":"boss","type":"Notify","settings":{"to":"boss"}},
                  {"id":"both","type":"Join","settings":{"timeout":"5s"}},{"id":"log","type":"Notify","settings":{"to":"log"}}],
         "links":[{"from":"in","to":"ops"},{"from":"in","to":"boss"},{"from":"ops","to":"both"},{"from":"boss","to":"both"},{"from":"both","to":"log"}]}
        """;

    [Fact]
    public async Task A_dry_run_returns_the_trace_and_the_effects_it_would_have_had_without_doing_them()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Dry run sensor");
        var id = await CreateAsync(api, "Dry run", Branches);

        var response = await api.PostAsJsonAsync($"/api/v1/workflows/{id}/test", new { input = new { temp = 31.5, room = "lab" }, deviceId = device.Id });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(run["succeeded"]!.GetValue<bool>(), run.ToJsonString());
        Assert.Equal(["in", "ops", "boss", "both", "log"], run["path"]!.AsArray().Select(p => p!.GetValue<string>()));
        var first = run["steps"]![0]!;
        Assert.Equal(("in", "out"), (first["nodeId"]!.GetValue<string>(), first["port"]!.GetValue<string>()));
        Assert.Equal(31.5, first["input"]!["fields"]!["temp"]!.GetValue<double>());
        Assert.Equal("Dry run sensor", first["input"]!["device"]!["name"]!.GetValue<string>());
        Assert.Equal("lab", run["steps"]!.AsArray().Last()!["output"]!["fields"]!["room"]!.GetValue<string>());
        Assert.Equal([("ops", "Notify", "ops"), ("boss", "Notify", "boss"), ("log", "Notify", "log")],
            run["effects"]!.AsArray().Select(e => (e!["nodeId"]!.GetValue<string>(), e["kind"]!.GetValue<string>(), e["details"]!["to"]!.GetValue<string>())));
        Assert.Equal(0, _app.Services.GetRequiredService<NotifyLog>().Performed);
    }

    [Fact]
    public async Task A_dry_run_of_a_draft_with_problems_answers_the_problems_and_an_unknown_device_is_a_field_error()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var broken = await CreateAsync(api, "Dry run of a broken draft", """{"nodes":[{"id":"in","type":"OnMessage"},{"id":"n","type":"Notify"}],"links":[{"from":"in","to":"n"}]}""");
        var fine = await CreateAsync(api, "Dry run with a ghost device", Linear);

        var problems = await api.PostAsJsonAsync($"/api/v1/workflows/{broken}/test", new { input = new { temp = 1 } });
        var ghost = await api.PostAsJsonAsync($"/api/v1/workflows/{fine}/test", new { input = new { temp = 1 }, deviceId = Guid.NewGuid() });
        var noInput = await api.PostAsJsonAsync($"/api/v1/workflows/{fine}/test", new { deviceId = (Guid?)null });

        Assert.Equal(HttpStatusCode.BadRequest, problems.StatusCode);
        Assert.Equal(("n", "to"), (await problems.Content.ReadFromJsonAsync<JsonObject>())!["problems"]!.AsArray()
            .Select(p => (p!["nodeId"]!.GetValue<string>(), p["setting"]!.GetValue<string>())).Single());
        Assert.Contains("deviceId", (await ghost.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        Assert.Contains("input", (await noInput.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
    }

    [Fact]
    public async Task Test_cases_kept_with_the_workflow_report_pass_or_fail_per_case()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var id = await CreateAsync(api, "With test cases", Branches, new object[]
        {
            new { name = "notifies three", input = new { temp = 40 }, expected = new { ports = new { both = "out" }, outputs = new { log = new { temp = 40 } }, effects = new[] { "Notify", "Notify", "Notify" } } },
            new { name = "expects too little", input = new { temp = 40 }, expected = new { ports = new Dictionary<string, string?> { ["log"] = null }, effects = Array.Empty<string>() } },
            new { name = "wrong output", input = new { temp = 40 }, expected = new { outputs = new { log = new { temp = 41 } } } },
        });

        var response = await api.PostAsync($"/api/v1/workflows/{id}/tests/run", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonArray>())!.ToDictionary(r => r!["name"]!.GetValue<string>(), r => r!);
        Assert.True(results["notifies three"]["passed"]!.GetValue<bool>(), results["notifies three"].ToJsonString());
        Assert.False(results["expects too little"]["passed"]!.GetValue<bool>());
        Assert.Equal(2, results["expects too little"]["failures"]!.AsArray().Count); // log ran, and three effects instead of none
        Assert.Equal("log's output has temp = 40, not 41.", results["wrong output"]["failures"]![0]!.GetValue<string>());
        Assert.Equal(0, _app.Services.GetRequiredService<NotifyLog>().Performed);
    }

    [Theory]
    [InlineData(31, "true", 1)]
    [InlineData(20, "false", 0)]
    public async Task A_filter_condition_routes_the_dry_run_and_its_log_is_recorded_only(double temp, string port, int logs)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var id = await CreateAsync(api, $"Hot rooms {temp}", """
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"hot","type":"Filter","settings":{"condition":"temp > 30"}},
                      {"id":"say","type":"Log","settings":{"message":"{{ temp }} is hot"}}],
             "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"say"}]}
            """);

        var run = (await (await api.PostAsJsonAsync($"/api/v1/workflows/{id}/test", new { input = new { temp } })).Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(port, run["steps"]!.AsArray().Single(s => s!["nodeId"]!.GetValue<string>() == "hot")!["port"]!.GetValue<string>());
        Assert.Equal(logs, run["effects"]!.AsArray().Count(e => e!["kind"]!.GetValue<string>() == "Log"));
    }

    [Fact]
    public async Task A_condition_that_does_not_parse_keeps_the_draft_from_being_published()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var id = await CreateAsync(api, "Bad condition", """
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"hot","type":"Filter","settings":{"condition":"temp >"}},{"id":"log","type":"Log","settings":{"message":"hot"}}],
             "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"log"}]}
            """);

        var response = await api.PostAsync($"/api/v1/workflows/{id}/publish", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!["problems"]!.AsArray().Single()!;
        Assert.Equal(("hot", "condition"), (problem["nodeId"]!.GetValue<string>(), problem["setting"]!.GetValue<string>()));
    }
}
