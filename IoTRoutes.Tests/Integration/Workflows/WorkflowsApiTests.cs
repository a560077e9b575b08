using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Integration.Workflows;

/// <summary>Workflows through the API: drafts and revisions, publishing, versions, switches, permissions, audit.</summary>
public sealed class WorkflowsApiTests(WorkflowsApp app) : IClassFixture<WorkflowsApp>
{
    private readonly WorkflowsApp _app = (WorkflowsApp)app.Started();

    internal static JsonObject Graph(string json) => JsonNode.Parse(json)!.AsObject();

    internal const string Linear = """
        {"nodes":[{"id":"in","type":"OnMessage","settings":{"exchangeType":"Telemetry"}},{"id":"tell","type":"Notify","settings":{"to":"ops"}}],
         "links":[{"from":"in","to":"tell"}]}
        """;

    [Fact]
    public async Task A_created_workflow_is_read_back_with_revision_1_and_listed_only_within_its_entity()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var east = await CreateEntityAsync(admin, "East");
        var west = await CreateEntityAsync(admin, "West");
        using var eastOperator = await _app.CreateClientForNewUserAsync(east, BuiltInRoles.OperatorId);
        using var westOperator = await _app.CreateClientForNewUserAsync(west, BuiltInRoles.OperatorId);

        var created = await eastOperator.PostAsJsonAsync("/api/v1/workflows", new { name = "Hot rooms", definition = Graph(Linear) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = body["id"]!.GetValue<Guid>();
        Assert.Equal(1, body["revision"]!.GetValue<int>());

        var read = (await eastOperator.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!;
        Assert.Equal(east, read["entityId"]!.GetValue<Guid>());
        Assert.Equal("DraftOnly", read["state"]!.GetValue<string>());
        Assert.Null(read["activeVersion"]);
        Assert.Empty(read["problems"]!.AsArray());
        Assert.Equal(["in", "tell"], read["definition"]!["nodes"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()));
        Assert.Contains("Hot rooms", Names(await eastOperator.GetFromJsonAsync<JsonArray>("/api/v1/workflows")));
        Assert.DoesNotContain("Hot rooms", Names(await westOperator.GetFromJsonAsync<JsonArray>("/api/v1/workflows")));
        Assert.Equal(HttpStatusCode.NotFound, (await westOperator.GetAsync($"/api/v1/workflows/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await westOperator.PostAsync($"/api/v1/workflows/{id}/publish", null)).StatusCode);
    }

    [Fact]
    public async Task A_definition_that_does_not_read_is_a_400_with_each_error_at_its_place()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();

        var response = await admin.PostAsJsonAsync("/api/v1/workflows", new
        {
            name = "Broken",
            definition = Graph("""{"nodes":[{"id":"in","type":"OnMessage"},{"type":"Notify"},{"id":"in","type":"Notify"}],"links":[{"from":"in","to":"ghost"}]}"""),
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!;
        Assert.Contains("definition.nodes[1].id", errors.Keys);
        Assert.Contains("definition.nodes[2].id", errors.Keys);
        Assert.Contains("definition.links[0].to", errors.Keys);
        Assert.DoesNotContain("Broken", Names(await admin.GetFromJsonAsync<JsonArray>("/api/v1/workflows")));
    }

    [Fact]
    public async Task A_save_from_a_stale_revision_is_a_409_saying_who_saved_what_since()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var id = await CreateAsync(admin, "Stale saves", Linear);
        var second = Graph("""
            {"nodes":[{"id":"in","type":"OnMessage","settings":{"exchangeType":"Telemetry"}},{"id":"tell","type":"Notify","settings":{"to":"night shift"}},
                      {"id":"also","type":"Notify","settings":{"to":"boss"}}],
             "links":[{"from":"in","to":"tell"},{"from":"in","to":"also"}]}
            """);

        var saved = await admin.PutAsJsonAsync($"/api/v1/workflows/{id}", new { revision = 1, definition = second });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(2, (await saved.Content.ReadFromJsonAsync<JsonObject>())!["revision"]!.GetValue<int>());

        var stale = await admin.PutAsJsonAsync($"/api/v1/workflows/{id}", new { revision = 1, definition = Graph(Linear) });

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = (await stale.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(2, problem["revision"]!.GetValue<int>());
        Assert.Equal(1, problem["baseRevision"]!.GetValue<int>());
        Assert.Equal(WorkflowsApp.AdminEmail, problem["savedBy"]!.GetValue<string>());
        Assert.Equal(["also"], problem["changes"]!["nodesAdded"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["tell"], problem["changes"]!["nodesChanged"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Empty(problem["changes"]!["nodesRemoved"]!.AsArray());
        Assert.Equal("also", problem["changes"]!["linksAdded"]![0]!["to"]!.GetValue<string>());
        Assert.Contains("revision 2", problem["detail"]!.GetValue<string>());
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!["revision"]!.GetValue<int>());

        // Publishing what was reviewed: revision 1 is not the draft any more, revision 2 is.
        var publishedStale = await admin.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { revision = 1 });
        var publishedCurrent = await admin.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { revision = 2 });
        Assert.Equal(HttpStatusCode.Conflict, publishedStale.StatusCode);
        Assert.Contains("revision 2", (await publishedStale.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, publishedCurrent.StatusCode);
    }

    [Fact]
    public async Task A_draft_with_problems_is_not_published_and_each_problem_names_its_node()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var id = await CreateAsync(admin, "Problems", """
            {"nodes":[{"id":"in","type":"OnMessage"},{"id":"a","type":"Notify","settings":{"to":"x"}},{"id":"b","type":"Notify","settings":{"to":"y"}},
                      {"id":"lonely","type":"Notify","settings":{"to":"z"}},{"id":"warp","type":"Teleport"},{"id":"mute","type":"Notify"}],
             "links":[{"from":"in","to":"a"},{"from":"a","to":"b"},{"from":"b","to":"a"},{"from":"in","to":"warp"},{"from":"in","to":"mute"}]}
            """);

        var listed = (await admin.GetFromJsonAsync<JsonArray>("/api/v1/workflows"))!.Single(w => w!["id"]!.GetValue<Guid>() == id)!;
        var response = await admin.PostAsync($"/api/v1/workflows/{id}/publish", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problems = (await response.Content.ReadFromJsonAsync<JsonObject>())!["problems"]!.AsArray()
            .Select(p => (Node: p!["nodeId"]?.GetValue<string>(), Setting: p["setting"]?.GetValue<string>(), Message: p["message"]!.GetValue<string>())).ToList();
        Assert.Contains(problems, p => p.Node == "a" && p.Message.Contains("cycle"));
        Assert.Contains(problems, p => p.Node == "lonely" && p.Setting == "links");
        Assert.Contains(problems, p => p.Node == "warp" && p.Message.Contains("Unknown node type Teleport"));
        Assert.Contains(problems, p => p.Node == "mute" && p.Setting == "to");
        Assert.Equal(problems.Count, listed["problems"]!.GetValue<int>());
        Assert.Empty((await admin.GetFromJsonAsync<JsonArray>($"/api/v1/workflows/{id}/versions"))!);
    }

    [Fact]
    public async Task Publishing_makes_version_1_active_and_a_restored_version_becomes_the_draft_without_being_published()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var id = await CreateAsync(admin, "Versions", Linear);

        var first = await admin.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { note = "first cut" });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var v1 = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((1, true, "first cut"), (v1["version"]!.GetValue<int>(), v1["active"]!.GetValue<bool>(), v1["note"]!.GetValue<string>()));
        var read = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!;
        Assert.Equal(("Published", 1), (read["state"]!.GetValue<string>(), read["activeVersion"]!.GetValue<int>()));

        var changed = Graph(Linear.Replace("\"ops\"", "\"night shift\""));
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/v1/workflows/{id}", new { revision = 1, definition = changed })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/workflows/{id}/publish", null)).StatusCode);

        var restored = await admin.PostAsync($"/api/v1/workflows/{id}/versions/1/restore", null);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Equal(3, (await restored.Content.ReadFromJsonAsync<JsonObject>())!["revision"]!.GetValue<int>());

        var after = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!;
        Assert.Equal("ops", after["definition"]!["nodes"]![1]!["settings"]!["to"]!.GetValue<string>());
        Assert.Equal(2, after["activeVersion"]!.GetValue<int>());
        var versions = (await admin.GetFromJsonAsync<JsonArray>($"/api/v1/workflows/{id}/versions"))!;
        Assert.Equal([(2, true), (1, false)], versions.Select(v => (v!["version"]!.GetValue<int>(), v["active"]!.GetValue<bool>())));
        Assert.Equal(WorkflowsApp.AdminEmail, versions[0]!["publishedBy"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync($"/api/v1/workflows/{id}/versions/9/restore", null)).StatusCode);
    }

    [Fact]
    public async Task Disable_enable_and_debug_change_the_state_and_debug_is_on_for_15_minutes()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var id = await CreateAsync(admin, "Switches", Linear);
        await admin.PostAsync($"/api/v1/workflows/{id}/publish", null);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/v1/workflows/{id}/disable", null)).StatusCode);
        Assert.Equal("Disabled", (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!["state"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/v1/workflows/{id}/enable", null)).StatusCode);
        Assert.Equal("Published", (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!["state"]!.GetValue<string>());

        var before = DateTimeOffset.UtcNow;
        var debug = await admin.PostAsync($"/api/v1/workflows/{id}/debug", null);
        var until = (await debug.Content.ReadFromJsonAsync<JsonObject>())!["debugUntil"]!.GetValue<DateTimeOffset>();
        Assert.InRange(until, before + TimeSpan.FromMinutes(15), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(15));
        var stored = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!["debugUntil"]!.GetValue<DateTimeOffset>();
        Assert.InRange(stored, until - TimeSpan.FromMilliseconds(1), until); // SQLite keeps times to 100 µs

        await admin.PostAsJsonAsync($"/api/v1/workflows/{id}/debug", new { enabled = false });
        Assert.Null((await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!["debugUntil"]);
    }

    [Fact]
    public async Task Publishing_needs_Workflows_Publish_and_reading_needs_Workflows_View()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var entity = await CreateEntityAsync(admin, "Editors");
        var role = await admin.PostAsJsonAsync("/api/v1/roles", new { name = $"Workflow editor {Guid.NewGuid():N}", grants = new { Workflows = "Manage" } });
        role.EnsureSuccessStatusCode();
        using var editor = await _app.CreateClientForNewUserAsync(entity, (await role.Content.ReadFromJsonAsync<IdBody>())!.Id);
        using var client = await _app.CreateClientForNewUserAsync(entity, BuiltInRoles.ClientId);
        var id = await CreateAsync(editor, "Edited, not published", Linear);

        var publish = await editor.PostAsync($"/api/v1/workflows/{id}/publish", null);
        var list = await client.GetAsync("/api/v1/workflows");
        var create = await client.PostAsJsonAsync("/api/v1/workflows", new { name = "no", definition = Graph(Linear) });

        Assert.Equal(HttpStatusCode.Forbidden, publish.StatusCode);
        Assert.Equal("application/problem+json", publish.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Null((await editor.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!["activeVersion"]);
    }

    [Fact]
    public async Task Every_change_is_audited_with_what_changed()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var name = $"Audited {Guid.NewGuid():N}";
        var id = await CreateAsync(admin, name, Linear);
        await admin.PutAsJsonAsync($"/api/v1/workflows/{id}", new { revision = 1, definition = Graph(Linear.Replace("\"ops\"", "\"night\"")) });
        await admin.PostAsync($"/api/v1/workflows/{id}/publish", null);
        await admin.PostAsync($"/api/v1/workflows/{id}/disable", null);
        await admin.PostAsync($"/api/v1/workflows/{id}/debug", null);
        await admin.DeleteAsync($"/api/v1/workflows/{id}");

        await using var db = await _app.CreateDbContextAsync();
        var entries = await db.AuditEntries.Where(e => e.Target == name).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync();

        Assert.Equal(["Workflow.Created", "Workflow.DraftSaved", "Workflow.Published", "Workflow.Disabled", "Workflow.Debug", "Workflow.Deleted"],
            entries.Select(e => e.Action));
        Assert.Equal("revision 1 → 2: nodes changed: tell", entries[1].Details);
        Assert.StartsWith("v1 from revision 2 (active was none)", entries[2].Details);
        Assert.Equal("enabled → disabled", entries[3].Details);
        Assert.All(entries, e => Assert.Equal(WorkflowsApp.AdminEmail, e.UserEmail));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/workflows/{id}")).StatusCode);
    }

    [Fact]
    public async Task The_action_catalog_lists_triggers_and_actions_with_their_settings_and_ports()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();

        var actions = (await admin.GetFromJsonAsync<JsonArray>("/api/v1/workflows/actions"))!;

        var onMessage = actions.Single(a => a!["type"]!.GetValue<string>() == "OnMessage")!;
        Assert.Equal(("Trigger", "Triggers"), (onMessage["kind"]!.GetValue<string>(), onMessage["category"]!.GetValue<string>()));
        Assert.Contains("exchangeType", onMessage["settings"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
        var join = actions.Single(a => a!["type"]!.GetValue<string>() == "Join")!;
        Assert.Equal(["out", "timeout", "error"], join["outputPorts"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("30s", join["settings"]![0]!["default"]!.GetValue<string>());

        // A list or map says what one entry holds; other settings carry no "fields" at all.
        var cases = actions.Single(a => a!["type"]!.GetValue<string>() == "Switch")!["settings"]![0]!;
        Assert.Equal(["name:Text", "condition:Expression"], cases["fields"]!.AsArray().Select(f => $"{f!["name"]}:{f["kind"]}"));
        var rename = actions.Single(a => a!["type"]!.GetValue<string>() == "Transform")!["settings"]![1]!;
        Assert.Equal(["key:Text", "value:Text"], rename["fields"]!.AsArray().Select(f => $"{f!["name"]}:{f["kind"]}"));
        Assert.False(join["settings"]![0]!.AsObject().ContainsKey("fields"));
    }

    internal static async Task<Guid> CreateAsync(HttpClient api, string name, string definition, object? testCases = null)
    {
        var response = await api.PostAsJsonAsync("/api/v1/workflows", new { name, definition = Graph(definition), testCases });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<IdBody>())!.Id;
    }

    internal static async Task<Guid> CreateEntityAsync(HttpClient api, string name)
    {
        var response = await api.PostAsJsonAsync("/api/v1/entities", new { name = $"{name} {Guid.NewGuid():N}"[..30], type = "Customer" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IdBody>())!.Id;
    }

    private static IEnumerable<string> Names(JsonArray? list) => list!.Select(w => w!["name"]!.GetValue<string>());
}
