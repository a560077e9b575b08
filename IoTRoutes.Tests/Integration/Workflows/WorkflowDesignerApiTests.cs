using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;
using static IoTRoutes.Tests.Integration.Workflows.WorkflowsApiTests;

namespace IoTRoutes.Tests.Integration.Workflows;

/// <summary>What the designer asks of the API besides saving: the diff between definitions, export and import.</summary>
public sealed class WorkflowDesignerApiTests(WorkflowsApp app) : IClassFixture<WorkflowsApp>
{
    private readonly WorkflowsApp _app = (WorkflowsApp)app.Started();

    private const string Moved = """
        {"nodes":[{"id":"in","type":"OnMessage","settings":{"exchangeType":"Telemetry"},"x":0,"y":0},
                  {"id":"tell","type":"Notify","name":"Tell","settings":{"to":"night shift"},"x":250,"y":80},
                  {"id":"also","type":"Notify","settings":{"to":"boss"}}],
         "links":[{"from":"in","to":"tell"},{"from":"in","to":"also"}]}
        """;

    [Fact]
    public async Task The_diff_goes_from_the_active_version_to_the_draft_and_before_a_publish_from_nothing()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var id = await CreateAsync(admin, $"Diffed {Guid.NewGuid():N}", Linear);

        var first = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}/diff"))!;

        Assert.Equal("nothing published", first["from"]!["label"]!.GetValue<string>());
        Assert.Equal(("draft (revision 1)", 1), (first["to"]!["label"]!.GetValue<string>(), first["to"]!["revision"]!.GetValue<int>()));
        Assert.Equal(["in", "tell"], Strings(first["changes"]!["nodesAdded"]));
        Assert.Equal("2 nodes added, 1 link added", first["changes"]!["summary"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/workflows/{id}/publish", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/v1/workflows/{id}", new { revision = 1, definition = Graph(Moved) })).StatusCode);

        var diff = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}/diff"))!;

        Assert.Equal(("v1 (active)", 1), (diff["from"]!["label"]!.GetValue<string>(), diff["from"]!["version"]!.GetValue<int>()));
        var changes = diff["changes"]!;
        Assert.Equal(["also"], Strings(changes["nodesAdded"]));
        var setting = Assert.Single(changes["settingsChanged"]!.AsArray())!;
        Assert.Equal(("tell", "to", "ops", "night shift"),
            (setting["nodeId"]!.GetValue<string>(), setting["setting"]!.GetValue<string>(), setting["before"]!.GetValue<string>(), setting["after"]!.GetValue<string>()));
        Assert.Equal("Tell", changes["nodesRenamed"]![0]!["after"]!.GetValue<string>());
        Assert.Equal(250, changes["nodesMoved"]![0]!["toX"]!.GetValue<double>());
        Assert.Equal("1 node added, 1 node renamed, 1 setting changed, 1 link added; 1 node moved", changes["summary"]!.GetValue<string>());
    }

    [Fact]
    public async Task Any_two_versions_or_the_draft_can_be_compared_and_a_missing_version_is_a_404()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var id = await CreateAsync(admin, $"Versions diffed {Guid.NewGuid():N}", Linear);
        await admin.PostAsync($"/api/v1/workflows/{id}/publish", null);
        await admin.PutAsJsonAsync($"/api/v1/workflows/{id}", new { revision = 1, definition = Graph(Moved) });
        await admin.PostAsync($"/api/v1/workflows/{id}/publish", null);

        var oneToTwo = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}/diff?from=1&to=v2"))!;
        var twoToDraft = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}/diff?from=2"))!;
        var backwards = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}/diff?from=draft&to=1"))!;
        var missing = await admin.GetAsync($"/api/v1/workflows/{id}/diff?from=1&to=9");
        var nonsense = await admin.GetAsync($"/api/v1/workflows/{id}/diff?from=latest&to=-1");

        Assert.Equal(("v1", "v2 (active)"), (oneToTwo["from"]!["label"]!.GetValue<string>(), oneToTwo["to"]!["label"]!.GetValue<string>()));
        Assert.Equal(["also"], Strings(oneToTwo["changes"]!["nodesAdded"]));
        Assert.Equal("No changes", twoToDraft["changes"]!["summary"]!.GetValue<string>());
        Assert.Equal(["also"], Strings(backwards["changes"]!["nodesRemoved"]));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("has no version 9", (await missing.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);
        Assert.Equal(HttpStatusCode.BadRequest, nonsense.StatusCode);
        Assert.Equal(["from", "to"], (await nonsense.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys.Order());
    }

    [Fact]
    public async Task The_diff_and_the_export_need_Workflows_View_and_the_workflow_in_the_callers_entity()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var east = await CreateEntityAsync(admin, "East");
        var west = await CreateEntityAsync(admin, "West");
        using var eastOperator = await _app.CreateClientForNewUserAsync(east, BuiltInRoles.OperatorId);
        using var westOperator = await _app.CreateClientForNewUserAsync(west, BuiltInRoles.OperatorId);
        using var eastClient = await _app.CreateClientForNewUserAsync(east, BuiltInRoles.ClientId);
        var id = await CreateAsync(eastOperator, "East only", Linear);

        Assert.Equal(HttpStatusCode.OK, (await eastOperator.GetAsync($"/api/v1/workflows/{id}/diff")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await westOperator.GetAsync($"/api/v1/workflows/{id}/diff")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await westOperator.GetAsync($"/api/v1/workflows/{id}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await eastClient.GetAsync($"/api/v1/workflows/{id}/diff")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await eastClient.GetAsync($"/api/v1/workflows/{id}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eastOperator.GetAsync($"/api/v1/workflows/{Guid.NewGuid()}/diff")).StatusCode);
    }

    [Fact]
    public async Task An_exported_workflow_imports_as_a_new_draft_with_the_same_nodes_and_test_cases_and_twice_makes_two()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var name = $"Exported {Guid.NewGuid():N}";
        var id = await CreateAsync(admin, name, Moved, new[] { new { name = "hot", input = new { t = 31 }, expected = new { effects = new[] { "Notify", "Notify" } } } });
        await admin.PostAsync($"/api/v1/workflows/{id}/publish", null);

        var document = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}/export"))!;

        Assert.Equal(("iotroutes-workflow", 1, name), (document["format"]!.GetValue<string>(), document["version"]!.GetValue<int>(), document["name"]!.GetValue<string>()));
        Assert.Equal(["in", "tell", "also"], document["definition"]!["nodes"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()));
        Assert.Equal("hot", document["testCases"]![0]!["name"]!.GetValue<string>());
        Assert.Null(document["entityId"]);

        var once = await admin.PostAsJsonAsync("/api/v1/workflows/import", new { document });
        var twice = await admin.PostAsJsonAsync("/api/v1/workflows/import", new { document });

        Assert.Equal(HttpStatusCode.Created, once.StatusCode);
        Assert.Equal(HttpStatusCode.Created, twice.StatusCode);
        var created = (await once.Content.ReadFromJsonAsync<JsonObject>())!;
        var importedId = created["id"]!.GetValue<Guid>();
        Assert.Equal(1, created["revision"]!.GetValue<int>());
        Assert.Equal($"/api/v1/workflows/{importedId}", once.Headers.Location!.ToString());
        var imported = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{importedId}"))!;
        var second = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{(await twice.Content.ReadFromJsonAsync<IdBody>())!.Id}"))!;
        Assert.Equal(($"{name} (2)", $"{name} (3)"), (imported["name"]!.GetValue<string>(), second["name"]!.GetValue<string>()));
        Assert.Equal("DraftOnly", imported["state"]!.GetValue<string>());
        Assert.Null(imported["activeVersion"]);
        Assert.True(JsonNode.DeepEquals(document["definition"], imported["definition"]));
        Assert.Equal("hot", imported["testCases"]![0]!["name"]!.GetValue<string>());
        var tests = (await admin.PostAsync($"/api/v1/workflows/{importedId}/tests/run", null)).Content;
        Assert.True((await tests.ReadFromJsonAsync<JsonArray>())![0]!["passed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_export_is_an_attachment_named_after_the_workflow_with_what_a_file_name_cannot_hold_replaced()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var id = await CreateAsync(admin, $"Hot/cold: Zürich {suffix}", Moved);

        var response = await admin.GetAsync($"/api/v1/workflows/{id}/export");

        response.EnsureSuccessStatusCode();
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal($"Hot_cold_ Zürich {suffix}.iotroutes-workflow.json", disposition.FileNameStar);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("iotroutes-workflow", (await response.Content.ReadFromJsonAsync<JsonObject>())!["format"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_import_goes_to_the_chosen_entity_with_the_chosen_name_and_one_outside_the_callers_scope_is_refused_as_create_refuses_it()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var east = await CreateEntityAsync(admin, "East");
        var west = await CreateEntityAsync(admin, "West");
        using var eastOperator = await _app.CreateClientForNewUserAsync(east, BuiltInRoles.OperatorId);
        var document = Document(Linear);

        var toWest = await admin.PostAsJsonAsync("/api/v1/workflows/import", new { entityId = west, name = "Renamed on import", document });
        var fromEast = await eastOperator.PostAsJsonAsync("/api/v1/workflows/import", new { entityId = west, document });
        var createFromEast = await eastOperator.PostAsJsonAsync("/api/v1/workflows", new { entityId = west, name = "Sneaky", definition = Graph(Linear) });
        var taken = await admin.PostAsJsonAsync("/api/v1/workflows/import", new { entityId = west, name = "Renamed on import", document });

        Assert.Equal(HttpStatusCode.Created, toWest.StatusCode);
        var imported = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{(await toWest.Content.ReadFromJsonAsync<IdBody>())!.Id}"))!;
        Assert.Equal((west, "Renamed on import"), (imported["entityId"]!.GetValue<Guid>(), imported["name"]!.GetValue<string>()));
        Assert.Equal(createFromEast.StatusCode, fromEast.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, fromEast.StatusCode);
        Assert.Contains("entityId", (await fromEast.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        Assert.Equal(HttpStatusCode.BadRequest, taken.StatusCode);
        Assert.Contains("name", (await taken.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
    }

    public static TheoryData<string, string> BadDocuments => new()
    {
        { """{"name":"x","definition":{"nodes":[],"links":[]}}""", "document.format" },
        { """{"format":"iotroutes-nodes","version":1,"name":"x","definition":{"nodes":[],"links":[]}}""", "document.format" },
        { """{"format":"iotroutes-workflow","version":2,"name":"x","definition":{"nodes":[],"links":[]}}""", "document.version" },
        { """{"format":"iotroutes-workflow","version":1,"name":"x"}""", "document.definition" },
        { """{"format":"iotroutes-workflow","version":1,"definition":{"nodes":[],"links":[]}}""", "document.name" },
        { """{"format":"iotroutes-workflow","version":1,"name":"x","definition":{"nodes":[{"id":"in","type":"OnMessage"},{"type":"Notify"}]}}""", "document.definition.nodes[1].id" },
        { """{"format":"iotroutes-workflow","version":1,"name":"x","definition":{"nodes":[]},"testCases":[{"name":"no input"}]}""", "document.testCases[0].input" },
        { """{"format":"iotroutes-workflow","version":1,"name":"x","definition":{"nodes":[{"id":"in","type":"OnMessage"},{"id":"t","type":"Teleport"}],"links":[{"from":"in","to":"t"}]}}""", "document.definition.nodes[1].type" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public async Task A_document_that_does_not_read_is_a_400_with_the_error_at_its_place_and_creates_nothing(string document, string place)
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var before = (await admin.GetFromJsonAsync<JsonArray>("/api/v1/workflows"))!.Count;

        var response = await admin.PostAsJsonAsync("/api/v1/workflows/import", new { document = Graph(document) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>())!;
        Assert.Contains(place, problem.Errors!.Keys);
        Assert.Equal(before, (await admin.GetFromJsonAsync<JsonArray>("/api/v1/workflows"))!.Count);
    }

    [Fact]
    public async Task An_import_without_a_document_says_what_to_send()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();

        var response = await admin.PostAsJsonAsync("/api/v1/workflows/import", Graph(Linear));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("iotroutes-workflow", (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!["document"][0]);
    }

    [Fact]
    public async Task A_draft_with_problems_imports_as_creating_it_would_and_keeps_its_problems()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var document = Document("""{"nodes":[{"id":"in","type":"OnMessage"},{"id":"lonely","type":"Notify","settings":{"to":"x"}}],"links":[]}""");

        var response = await admin.PostAsJsonAsync("/api/v1/workflows/import", new { document });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var imported = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{(await response.Content.ReadFromJsonAsync<IdBody>())!.Id}"))!;
        Assert.Contains(imported["problems"]!.AsArray(), p => p!["nodeId"]?.GetValue<string>() == "lonely");
    }

    [Fact]
    public async Task Importing_needs_Workflows_Manage_and_is_audited_with_what_came_in()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var entity = await CreateEntityAsync(admin, "Readers");
        var viewer = await admin.PostAsJsonAsync("/api/v1/roles", new { name = $"Workflow reader {Guid.NewGuid():N}", grants = new { Workflows = "View" } });
        viewer.EnsureSuccessStatusCode();
        using var reader = await _app.CreateClientForNewUserAsync(entity, (await viewer.Content.ReadFromJsonAsync<IdBody>())!.Id);
        var name = $"Audited import {Guid.NewGuid():N}";
        var document = Document(Linear, name);

        var refused = await reader.PostAsJsonAsync("/api/v1/workflows/import", new { document });
        var done = await admin.PostAsJsonAsync("/api/v1/workflows/import", new { document });

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        await using var db = await _app.CreateDbContextAsync();
        var entry = await db.AuditEntries.SingleAsync(e => e.Target == name);
        Assert.Equal(("Workflow.Imported", "revision 1, 2 nodes, 0 test cases"), (entry.Action, entry.Details));
        Assert.Equal(WorkflowsApp.AdminEmail, entry.UserEmail);
    }

    private static JsonObject Document(string definition, string? name = null) => new()
    {
        ["format"] = "iotroutes-workflow", ["version"] = 1, ["name"] = name ?? $"Imported {Guid.NewGuid():N}", ["definition"] = Graph(definition),
    };

    private static IEnumerable<string> Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>());

    [Fact]
    public async Task A_settings_references_are_found_by_name_in_the_workflows_part_of_the_tree_only()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        var plant = await admin.PostIdAsync("/api/v1/entities", new { name = $"Plant {tag}", type = "Organisation" });
        var line = await admin.PostIdAsync("/api/v1/entities", new { name = $"Line {tag}", type = "SubOrganisation", parentId = plant });
        var other = await admin.PostIdAsync("/api/v1/entities", new { name = $"Other {tag}", type = "Customer" });
        var shared = await admin.PostIdAsync("/api/v1/profiles", new { name = $"Shared {tag}" }); // at the root, above the plant
        var lineProfile = await admin.PostIdAsync("/api/v1/profiles", new { name = $"Line kit {tag}", entityId = line });
        await admin.PostIdAsync("/api/v1/profiles", new { name = $"Foreign kit {tag}", entityId = other });
        var alpha = await admin.PostIdAsync("/api/v1/devices", new { name = $"Pump Alpha {tag}", entityId = line });
        var beta = await admin.PostIdAsync("/api/v1/devices", new { name = $"pump beta {tag}", entityId = plant });
        await admin.PostIdAsync("/api/v1/devices", new { name = $"Pump Gamma {tag}", entityId = other });
        var workflow = await admin.PostIdAsync("/api/v1/workflows", new { name = $"Pumps {tag}", entityId = plant, definition = Graph(Linear) });

        var devices = await admin.GetFromJsonAsync<JsonArray>($"/api/v1/workflows/{workflow}/references/device?search=PUMP");
        var entities = await admin.GetFromJsonAsync<JsonArray>($"/api/v1/workflows/{workflow}/references/Entity");
        var profiles = await admin.GetFromJsonAsync<JsonArray>($"/api/v1/workflows/{workflow}/references/profile?search={tag}");

        Assert.Equal(new[] { alpha, beta }.Order(), Ids(devices).Order());
        Assert.Equal($"Line {tag}", devices!.Single(d => d!["id"]!.GetValue<Guid>() == alpha)!["detail"]!.GetValue<string>());
        Assert.Equal([plant, line], Ids(entities));
        Assert.Equal(new[] { lineProfile, shared }.Order(), Ids(profiles).Order());
        var badKind = await admin.GetAsync($"/api/v1/workflows/{workflow}/references/format");
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
        Assert.Contains("kind", (await badKind.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/workflows/{Guid.NewGuid()}/references/device")).StatusCode);
        using var outsider = await _app.CreateClientForNewUserAsync(other, BuiltInRoles.OperatorId);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"/api/v1/workflows/{workflow}/references/device")).StatusCode);
    }

    private static List<Guid> Ids(JsonArray? options) => [.. options!.Select(o => o!["id"]!.GetValue<Guid>())];
}
