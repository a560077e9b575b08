using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Tests.Integration.Workflows;
using Microsoft.Extensions.DependencyInjection;
using static IoTRoutes.Tests.Integration.Workflows.WorkflowsApiTests;

namespace IoTRoutes.Tests.Integration.Jobs;

/// <summary>Manual jobs through the API, run by the real job runner: parameters, history, cancel, retries.</summary>
public sealed class ManualJobsTests(JobsApp app) : IClassFixture<JobsApp>
{
    private readonly JobsApp _app = (JobsApp)app.Started();

    private const string WithParameters = """
        {"nodes":[{"id":"start","type":"Manual","settings":{"parameters":[
            {"name":"site","type":"Text","required":true},{"name":"limit","type":"Integer","default":"10"},{"name":"hot","type":"Boolean"}]}},
          {"id":"tell","type":"Notify","settings":{"to":"ops"}}],
         "links":[{"from":"start","to":"tell"}]}
        """;

    [Fact]
    public async Task A_manual_run_checks_its_parameters_runs_with_the_defaults_filled_in_and_is_in_the_history()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var id = await PublishedAsync(api, "Manual report", WithParameters);
        var notified = _app.Services.GetRequiredService<NotifyLog>().Performed;

        var missing = await api.PostAsJsonAsync($"/api/v1/jobs/{id}/run", new { parameters = new { limit = "many", colour = "red" } });
        var queued = await api.PostAsJsonAsync($"/api/v1/jobs/{id}/run", new { parameters = new { site = "Lyon", hot = "true" } });

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var errors = (await missing.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!;
        Assert.Equal(["parameters.colour", "parameters.limit", "parameters.site"], errors.Keys.Order());
        Assert.Equal(["site is required."], errors["parameters.site"]);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var runId = (await queued.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!.GetValue<Guid>();
        var run = await RunAsync(api, id, runId, "Succeeded");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"site":"Lyon","hot":true,"limit":10}"""), run["parameters"]), run.ToJsonString());
        Assert.Equal(("Manual", 1, IoTRoutesApp.AdminEmail), (run["trigger"]!.GetValue<string>(), run["attempt"]!.GetValue<int>(), run["requestedBy"]!.GetValue<string>()));
        Assert.NotNull(run["endedAt"]);
        Assert.Equal(notified + 1, _app.Services.GetRequiredService<NotifyLog>().Performed);

        var job = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/jobs/{id}"))!;
        Assert.Equal(("Manual", true), (job["trigger"]!.GetValue<string>(), job["canRunNow"]!.GetValue<bool>()));
        Assert.Equal(["site", "limit", "hot"], job["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
        Assert.Equal(runId, job["lastRun"]!["id"]!.GetValue<Guid>());
        Assert.Contains(id, (await api.GetFromJsonAsync<JsonArray>("/api/v1/jobs"))!.Select(j => j!["id"]!.GetValue<Guid>()));
        Assert.Contains("Job.RunRequested", await api.GetStringAsync("/api/v1/audit?action=Job.RunRequested"));
    }

    [Fact]
    public async Task A_running_run_is_cancelled_within_seconds_and_an_ended_one_cannot_be()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var id = await PublishedAsync(api, "Slow job", """
            {"nodes":[{"id":"start","type":"Manual"},{"id":"wait","type":"Delay","settings":{"duration":"10m"}},{"id":"tell","type":"Notify","settings":{"to":"ops"}}],
             "links":[{"from":"start","to":"wait"},{"from":"wait","to":"tell"}]}
            """);
        var runId = await RunNowAsync(api, id);
        await RunAsync(api, id, runId, "Running");

        var cancel = await api.PostAsync($"/api/v1/runs/{runId}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var run = await RunAsync(api, id, runId, "Cancelled", TimeSpan.FromSeconds(10));
        Assert.Null(run["failedNode"]);
        Assert.Equal("Cancelled while in wait.", run["error"]!.GetValue<string>());
        var again = await api.PostAsync($"/api/v1/runs/{runId}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("has ended", (await again.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync($"/api/v1/runs/{Guid.NewGuid()}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task A_failing_run_is_tried_again_as_its_trigger_says_and_then_stays_failed()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var id = await PublishedAsync(api, "Failing job", """
            {"nodes":[{"id":"start","type":"Manual","settings":{"retries":2,"retryDelay":"1s"}},
                      {"id":"boom","type":"Script","settings":{"script":"function process(item) { throw new Error('no data for ' + item.fields.site); }"}}],
             "links":[{"from":"start","to":"boom"}]}
            """);

        await RunNowAsync(api, id, new JsonObject());

        var runs = await _app.EventuallyAsync(async () =>
        {
            var list = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/jobs/{id}/runs?status=Failed"))!;
            return list.Count >= 3 ? list : null;
        }, "three failed attempts", TimeSpan.FromSeconds(30));
        Assert.Equal([3, 2, 1], runs.Select(r => r!["attempt"]!.GetValue<int>()));
        Assert.All(runs, r => Assert.Equal("boom", r!["failedNode"]!.GetValue<string>()));
        Assert.Equal("retry", runs[0]!["requestedBy"]!.GetValue<string>());
        await Task.Delay(TimeSpan.FromSeconds(3)); // a fourth would be queued by now (1 s, 2 s, 4 s)
        Assert.Equal(3, (await api.GetFromJsonAsync<JsonArray>($"/api/v1/jobs/{id}/runs"))!.Count);
    }

    [Fact]
    public async Task Run_now_is_refused_for_event_workflows_disabled_jobs_and_callers_without_the_action()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var onMessages = await PublishedAsync(admin, "On messages", """
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"tell","type":"Notify","settings":{"to":"ops"}}],"links":[{"from":"in","to":"tell"}]}
            """);
        var manual = await PublishedAsync(admin, "Disabled later", WithParameters);
        var entity = await CreateEntityAsync(admin, "Elsewhere");
        using var client = await _app.CreateClientForNewUserAsync(entity, BuiltInRoles.ClientId); // no Jobs.RunNow
        using var outsider = await _app.CreateClientForNewUserAsync(entity, BuiltInRoles.OperatorId); // another entity's jobs

        var onEvents = await admin.PostAsJsonAsync($"/api/v1/jobs/{onMessages}/run", new { });
        Assert.Equal(HttpStatusCode.Conflict, onEvents.StatusCode);
        Assert.Contains("test run", (await onEvents.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);
        Assert.False((await admin.GetFromJsonAsync<JsonObject>($"/api/v1/jobs/{onMessages}"))!["canRunNow"]!.GetValue<bool>());
        Assert.True((await admin.PostAsync($"/api/v1/workflows/{manual}/disable", null)).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync($"/api/v1/jobs/{manual}/run", new { parameters = new { site = "x" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync($"/api/v1/jobs/{manual}/run", new { parameters = new { site = "x" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"/api/v1/jobs/{manual}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.PostAsJsonAsync($"/api/v1/jobs/{manual}/run", new { parameters = new { site = "x" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync($"/api/v1/jobs/{Guid.NewGuid()}/run", new { })).StatusCode);
        var badFilter = await admin.GetAsync($"/api/v1/jobs/{manual}/runs?status=Done&limit=0");
        Assert.Equal(["limit", "status"], (await badFilter.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys.Order());
    }

    [Fact]
    public async Task A_run_left_running_by_a_node_that_stopped_is_failed_and_retried()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var id = await PublishedAsync(api, "Interrupted", """
            {"nodes":[{"id":"start","type":"Manual","settings":{"retries":1,"retryDelay":"1s"}},{"id":"tell","type":"Notify","settings":{"to":"ops"}}],
             "links":[{"from":"start","to":"tell"}]}
            """);
        var orphan = Guid.CreateVersion7();
        await using (var db = await _app.CreateDbContextAsync())
        {
            var now = DateTimeOffset.UtcNow;
            db.WorkflowRuns.Add(new IoTRoutes.Core.Workflows.Runner.WorkflowRunRecord
            {
                Id = orphan, WorkflowId = id, Version = 1, Trigger = "Manual", Status = IoTRoutes.Core.Jobs.JobRunStatus.Running, Parameters = "{}",
                QueuedAt = now, StartedAt = now, Owner = "a-node-killed-with-SIGKILL", RequestedBy = IoTRoutesApp.AdminEmail,
            });
            await db.SaveChangesAsync();
        }

        var failed = await RunAsync(api, id, orphan, "Failed");
        Assert.Contains("Interrupted", failed["error"]!.GetValue<string>());
        var retried = await _app.EventuallyAsync(async () =>
            (await api.GetFromJsonAsync<JsonArray>($"/api/v1/jobs/{id}/runs?status=Succeeded"))!.FirstOrDefault() as JsonObject, "the retry");
        Assert.Equal((2, "retry"), (retried["attempt"]!.GetValue<int>(), retried["requestedBy"]!.GetValue<string>()));
    }

    internal static async Task<Guid> PublishedAsync(HttpClient api, string name, string definition, Guid? entityId = null)
    {
        var created = await api.PostAsJsonAsync("/api/v1/workflows", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)], entityId, definition = Graph(definition) });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<IdBody>())!.Id;
        var published = await api.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { });
        Assert.True(published.StatusCode == HttpStatusCode.OK, await published.Content.ReadAsStringAsync());
        return id;
    }

    private static async Task<Guid> RunNowAsync(HttpClient api, Guid id, JsonObject? parameters = null)
    {
        var response = await api.PostAsJsonAsync($"/api/v1/jobs/{id}/run", new { parameters });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!.GetValue<Guid>();
    }

    private Task<JsonObject> RunAsync(HttpClient api, Guid jobId, Guid runId, string status, TimeSpan? timeout = null) =>
        _app.EventuallyAsync(async () =>
        {
            var runs = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/jobs/{jobId}/runs"))!;
            return runs.FirstOrDefault(r => r!["id"]!.GetValue<Guid>() == runId && r["status"]!.GetValue<string>() == status) as JsonObject;
        }, $"run {runId} {status}", timeout);
}
