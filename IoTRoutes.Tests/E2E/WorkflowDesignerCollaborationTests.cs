using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Tests.Integration;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IoTRoutes.Tests.E2E;

/// <summary>
/// The designer in Debian's Chromium beyond drawing: a test run traced on the canvas that changes nothing, two people on one
/// draft (merge, take theirs), the keys, and a node dropped onto a link. Each journey has its own workflow.
/// </summary>
public sealed class WorkflowDesignerCollaborationTests(BrowserApp app) : BrowserJourney(app)
{
    private const string VisitedLinkColor = "#2e7d32";

    [Fact]
    public async Task A_test_run_traces_the_path_on_the_canvas_lists_what_it_would_do_and_changes_nothing()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync($"Trial room {Guid.NewGuid():N}"[..20]);
        (await api.PutAsync($"/api/v1/devices/{device.Id}/attributes/mode", JsonContent.Create("auto"))).EnsureSuccessStatusCode();
        var workflowId = await CreateWorkflowAsync(api, "Test run trace", $$$$"""
            {"nodes":[
               {"id":"in","type":"OnMessage","x":40,"y":160,"settings":{"exchangeType":"Telemetry","deviceIds":["{{{{device.Id}}}}"]}},
               {"id":"hot","type":"Filter","x":340,"y":160,"settings":{"condition":"temp > 30"}},
               {"id":"alert","type":"RaiseAlert","x":660,"y":0,"settings":{"alertType":"HighTemperature","message":"{{ device.name }} is at {{ temp }}"}},
               {"id":"cool","type":"SendCommand","x":660,"y":150,"settings":{"name":"cool","payload":{"setpoint":"temp - 10"}}},
               {"id":"mark","type":"SetAttribute","x":660,"y":300,"settings":{"attributes":{"mode":"'cooling'"}}},
               {"id":"calm","type":"Log","x":660,"y":450,"settings":{"message":"{{ device.name }} is calm at {{ temp }}"}}],
             "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"alert"},{"from":"hot","fromPort":"true","to":"cool"},
                      {"from":"hot","fromPort":"true","to":"mark"},{"from":"hot","fromPort":"false","to":"calm"}]}
            """);
        var attributesBefore = await api.GetStringAsync($"/api/v1/devices/{device.Id}/attributes");
        Assert.Contains("\"auto\"", attributesBefore);
        var page = await NewSignedInPageAsync(IoTRoutesApp.AdminEmail, IoTRoutesApp.AdminPassword);
        await Browser.JourneyAsync(page, "designer-test-run", async () =>
        {
            await OpenDesignerAsync(page, workflowId);
            await page.Locator("[data-test=designer-test-open]").ClickAsync();
            await PickDeviceAsync(page, device.Name);
            await page.Locator("textarea[data-test=designer-test-fields]").FillAsync("""{"temp": 35}""");
            await page.Locator("[data-test=designer-test-run]").ClickAsync();

            // The hot path: every node on it marked with the port it took, the links it went along drawn green.
            await Expect(page.Locator("[data-test=designer-test-outcome]")).ToContainTextAsync("Went through 5 node(s)");
            await Expect(page.Locator(".wf-node.trace-visited")).ToHaveCountAsync(5);
            await Expect(page.Locator(".wf-node[data-node-id=calm]")).Not.ToHaveClassAsync(new Regex("trace-visited"));
            await Expect(page.Locator("[data-node-id=hot] .wf-node-trace")).ToContainTextAsync("→ true");
            await Expect(page.Locator("[data-node-id=in] .wf-node-trace")).ToContainTextAsync("→ out");
            await Expect(page.Locator("[data-node-id=alert] .wf-node-trace")).ToContainTextAsync("→ out");
            await ExpectVisitedLinksAsync(page, 4);

            // What it would have done, said and not done.
            var effects = page.Locator("[data-test=designer-test-effect]");
            await Expect(effects).ToHaveCountAsync(3);
            await Expect(effects.Filter(new() { HasText = $"raise alert HighTemperature (Major) on {device.Name}" })).ToHaveCountAsync(1);
            await Expect(effects.Filter(new() { HasText = $"send command cool to {device.Name}" })).ToHaveCountAsync(1);
            await Expect(effects.Filter(new() { HasText = $"set mode = \"cooling\" on {device.Name}" })).ToHaveCountAsync(1);
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("designer-test-run.png") });

            // A node's input and output in the run, on click.
            await page.Locator("[data-node-id=hot] .wf-node-title").ClickAsync();
            var step = page.Locator("[data-test=node-step]");
            await Expect(step).ToContainTextAsync("out by true");
            await Expect(step).ToContainTextAsync("\"temp\": 35");
            await page.Locator("[data-node-id=cool] .wf-node-title").ClickAsync();
            await Expect(step).ToContainTextAsync("commandId");

            // Back to the test panel (Escape on the canvas): the device chosen is still chosen for the next run.
            await page.Keyboard.PressAsync("Escape");
            await page.Locator("textarea[data-test=designer-test-fields]").FillAsync("""{"temp": 10}""");
            await page.Locator("[data-test=designer-test-run]").ClickAsync();
            await Expect(page.Locator("[data-node-id=hot] .wf-node-trace")).ToContainTextAsync("→ false");
            await Expect(page.Locator(".wf-node.trace-visited")).ToHaveCountAsync(3);
            await Expect(page.Locator(".wf-node[data-node-id=calm]")).ToHaveClassAsync(new Regex("trace-visited"));
            await Expect(page.Locator(".wf-node[data-node-id=alert]")).Not.ToHaveClassAsync(new Regex("trace-visited"));
            await ExpectVisitedLinksAsync(page, 2);
            await Expect(effects).ToHaveCountAsync(1);
            await Expect(effects).ToContainTextAsync($"{device.Name} is calm at 10");
        });

        // Nothing was raised, sent or stored.
        var alerts = await api.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?deviceId={device.Id}");
        Assert.Empty(alerts!["items"]!.AsArray());
        Assert.Empty((await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/commands"))!);
        Assert.Equal(attributesBefore, await api.GetStringAsync($"/api/v1/devices/{device.Id}/attributes"));
    }

    [Fact]
    public async Task Two_people_on_one_draft_a_stale_save_merges_both_changes()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var workflowId = await CreateWorkflowAsync(api, "Merge drafts", ThreeNodes);
        var (ann, annEmail, bob) = await TwoPeopleAsync(workflowId);
        await Browser.JourneyAsync(bob, "designer-merge", async () =>
        {
            // Ann changes the condition; it autosaves. Bob, who opened the draft before, adds a Log node.
            await FillSettingAsync(ann, "hot", "condition", "temp > 40", "temp > 40");
            await Expect(ann.Locator("[data-test=save-status]")).ToHaveTextAsync("Saved · revision 2");
            await DropAsync(bob, "Log", 300, 520);
            var stale = bob.Locator("[data-test=stale]");
            await Expect(stale).ToContainTextAsync("nodes changed: hot");
            await Expect(stale).ToContainTextAsync(annEmail);

            await bob.Locator("[data-test=merge]").ClickAsync();
            await Expect(stale).ToHaveCountAsync(0);
            await Expect(bob.Locator("[data-test=save-status]")).ToHaveTextAsync("Saved · revision 3");
            await Expect(bob.Locator("[data-node-id=hot] .wf-node-summary")).ToContainTextAsync("temp > 40");
            await Expect(bob.Locator(".wf-node[data-node-id=log]")).ToHaveCountAsync(1);

            // Ann's next change is not saved over Bob's: she is told he added a node.
            await FillSettingAsync(ann, "hot", "condition", "temp > 45", "temp > 45");
            await Expect(ann.Locator("[data-test=stale]")).ToContainTextAsync("nodes added: log");
        });

        var draft = await DraftAsync(api, workflowId);
        Assert.Equal(3, draft["revision"]!.GetValue<int>());
        var nodes = Nodes(draft);
        Assert.Equal("temp > 40", nodes["hot"]["settings"]!["condition"]!.GetValue<string>());
        Assert.Equal("Log", nodes["log"]["type"]!.GetValue<string>());
        Assert.Equal(["hot.true>note", "in.out>hot"], Links(draft));
    }

    [Fact]
    public async Task Two_people_on_one_draft_take_theirs_shows_the_other_draft_and_goes_on_from_it()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var workflowId = await CreateWorkflowAsync(api, "Take theirs", ThreeNodes);
        var (ann, _, bob) = await TwoPeopleAsync(workflowId);
        await Browser.JourneyAsync(bob, "designer-take-theirs", async () =>
        {
            await FillSettingAsync(ann, "hot", "condition", "temp > 40", "temp > 40");
            await Expect(ann.Locator("[data-test=save-status]")).ToHaveTextAsync("Saved · revision 2");
            await DropAsync(bob, "Log", 300, 520);
            await Expect(bob.Locator("[data-test=stale]")).ToContainTextAsync("nodes changed: hot");

            await bob.Locator("[data-test=take-theirs]").ClickAsync();
            await Expect(bob.Locator("[data-test=stale]")).ToHaveCountAsync(0);
            await Expect(bob.Locator("[data-test=node]")).ToHaveCountAsync(3);
            await Expect(bob.Locator(".wf-node[data-node-id=log]")).ToHaveCountAsync(0);
            await Expect(bob.Locator("[data-node-id=hot] .wf-node-summary")).ToContainTextAsync("temp > 40");
            await Expect(bob.Locator("[data-test=save-status]")).ToHaveTextAsync("Saved · revision 2");

            // Bob goes on from Ann's draft: his next change saves over hers, not stale.
            await FillSettingAsync(bob, "note", "message", "cool enough", "cool enough");
            await Expect(bob.Locator("[data-test=save-status]")).ToHaveTextAsync("Saved · revision 3");
            await Expect(bob.Locator("[data-test=stale]")).ToHaveCountAsync(0);
        });

        var draft = await DraftAsync(api, workflowId);
        var nodes = Nodes(draft);
        Assert.Equal(["hot", "in", "note"], nodes.Keys.Order());
        Assert.Equal("temp > 40", nodes["hot"]["settings"]!["condition"]!.GetValue<string>());
        Assert.Equal("cool enough", nodes["note"]["settings"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Keys_copy_paste_delete_select_all_save_and_find_on_the_canvas()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var workflowId = await CreateWorkflowAsync(api, "Keys", """
            {"nodes":[
               {"id":"on-message","type":"OnMessage","x":40,"y":100,"settings":{"exchangeType":"Telemetry"}},
               {"id":"filter","type":"Filter","x":340,"y":100,"settings":{"condition":"temp > 30"}},
               {"id":"log","type":"Log","x":660,"y":100,"settings":{"message":"cold room at {{ temp }} °C"}}],
             "links":[{"from":"on-message","to":"filter"},{"from":"filter","fromPort":"false","to":"log"}]}
            """);
        var page = await NewSignedInPageAsync(IoTRoutesApp.AdminEmail, IoTRoutesApp.AdminPassword);
        await Browser.JourneyAsync(page, "designer-keys", async () =>
        {
            await OpenDesignerAsync(page, workflowId);
            var nodes = page.Locator("[data-test=node]");
            await Expect(nodes).ToHaveCountAsync(3);

            await page.Locator("[data-node-id=filter] .wf-node-title").ClickAsync();
            await Expect(page.Locator(".wf-node.selected")).ToHaveCountAsync(1);
            await page.Keyboard.PressAsync("Control+c");
            await page.Keyboard.PressAsync("Control+v");
            await Expect(nodes).ToHaveCountAsync(4);
            await Expect(page.Locator("[data-node-id=filter-2] .wf-node-summary")).ToContainTextAsync("temp > 30");
            await Expect(page.Locator(".wf-node.selected")).ToHaveAttributeAsync("data-node-id", "filter-2");
            await Expect(page.Locator("[data-test=save-status]")).ToHaveTextAsync(new Regex("^Saved"));
            var pasted = await Eventually.GetAsync(async () => Nodes(await DraftAsync(api, workflowId)).GetValueOrDefault("filter-2"), "the paste saved");
            Assert.Equal((380.0, 140.0), (pasted["x"]!.GetValue<double>(), pasted["y"]!.GetValue<double>()));
            Assert.Equal("temp > 30", pasted["settings"]!["condition"]!.GetValue<string>());

            // Delete takes the selection (the copy) away; Ctrl+S saves at once.
            await page.Keyboard.PressAsync("Delete");
            await Expect(nodes).ToHaveCountAsync(3);
            await Expect(page.Locator(".wf-node[data-node-id=filter-2]")).ToHaveCountAsync(0);
            await page.Keyboard.PressAsync("Control+s");
            await Expect(page.Locator("[data-test=save-status]")).ToHaveTextAsync("Saved · revision 3");
            Assert.DoesNotContain("filter-2", Nodes(await DraftAsync(api, workflowId)).Keys);

            await page.Keyboard.PressAsync("Control+a");
            await Expect(page.Locator(".wf-node.selected")).ToHaveCountAsync(3);
            await page.Keyboard.PressAsync("Escape");
            await Expect(page.Locator(".wf-node.selected")).ToHaveCountAsync(0);

            // Ctrl+F: the find box, where a setting's text finds its node, as typed (no JSON escapes: ">", "°").
            await page.Keyboard.PressAsync("Control+f");
            var find = page.Locator("input[data-test=find]");
            await Expect(find).ToBeFocusedAsync();
            await page.Keyboard.TypeAsync("temp > 30");
            await Expect(page.Locator(".wf-node.selected")).ToHaveAttributeAsync("data-node-id", "filter");
            await find.FillAsync("°C");
            await Expect(page.Locator(".wf-node.selected")).ToHaveAttributeAsync("data-node-id", "log");
        });
    }

    [Fact]
    public async Task A_node_dropped_onto_a_link_goes_in_between()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var workflowId = await CreateWorkflowAsync(api, "Splice", """
            {"nodes":[
               {"id":"in","type":"OnMessage","x":40,"y":100,"settings":{"exchangeType":"Telemetry"}},
               {"id":"note","type":"Log","x":760,"y":100,"settings":{"message":"{{ temp }}"}}],
             "links":[{"from":"in","to":"note"}]}
            """);
        var page = await NewSignedInPageAsync(IoTRoutesApp.AdminEmail, IoTRoutesApp.AdminPassword);
        await Browser.JourneyAsync(page, "designer-splice", async () =>
        {
            await OpenDesignerAsync(page, workflowId);
            await Expect(page.Locator(".diagram-link")).ToHaveCountAsync(1);
            var from = (await page.Locator("[data-node-id=in] .wf-port-out").BoundingBoxAsync())!;
            var to = (await page.Locator("[data-node-id=note] .wf-port-in").BoundingBoxAsync())!;
            var canvas = (await page.Locator("[data-test=canvas]").BoundingBoxAsync())!;
            var middle = ((from.X + from.Width / 2 + to.X + to.Width / 2) / 2, (from.Y + from.Height / 2 + to.Y + to.Height / 2) / 2);
            await DropAsync(page, "Filter", (int)(middle.Item1 - canvas.X), (int)(middle.Item2 - canvas.Y));

            await Expect(page.Locator(".diagram-link")).ToHaveCountAsync(2);
            await Expect(page.Locator("[data-test=save-status]")).ToHaveTextAsync("Saved · revision 2");
        });

        Assert.Equal(["filter.true>note", "in.out>filter"], Links(await DraftAsync(api, workflowId)));
    }

    private const string ThreeNodes = """
        {"nodes":[
           {"id":"in","type":"OnMessage","x":40,"y":100,"settings":{"exchangeType":"Telemetry"}},
           {"id":"hot","type":"Filter","x":340,"y":100,"settings":{"condition":"temp > 30"}},
           {"id":"note","type":"Log","x":660,"y":100,"settings":{"message":"hot: {{ temp }}"}}],
         "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"note"}]}
        """;

    /// <summary>Ann (an operator) and Bob (the administrator), each in a browser of their own, with the draft open.</summary>
    private async Task<(IPage Ann, string AnnEmail, IPage Bob)> TwoPeopleAsync(Guid workflowId)
    {
        var (email, password) = await App.CreateUserAsync(RootEntity.Id, BuiltInRoles.OperatorId);
        var ann = await NewSignedInPageAsync(email, password);
        var bob = await NewSignedInPageAsync(IoTRoutesApp.AdminEmail, IoTRoutesApp.AdminPassword);
        await OpenDesignerAsync(ann, workflowId);
        await OpenDesignerAsync(bob, workflowId);
        return (ann, email, bob);
    }

    private async Task<IPage> NewSignedInPageAsync(string email, string password)
    {
        var context = await Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1500, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(App.BaseAddress + "/account/login");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        return page;
    }

    private async Task OpenDesignerAsync(IPage page, Guid workflowId)
    {
        await page.GotoAsync($"{App.BaseAddress}/workflows/{workflowId}");
        await Expect(page.Locator("[data-test=designer][data-ready=true]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-test=node]").First).ToBeVisibleAsync();
    }

    private static async Task<Guid> CreateWorkflowAsync(HttpClient api, string name, string definition)
    {
        var response = await api.PostAsJsonAsync("/api/v1/workflows", new JsonObject { ["name"] = $"{name} {Guid.NewGuid():N}"[..30], ["definition"] = JsonNode.Parse(definition) });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static async Task<JsonObject> DraftAsync(HttpClient api, Guid workflowId) =>
        (await api.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflowId}"))!;

    private static Dictionary<string, JsonObject> Nodes(JsonObject workflow) =>
        workflow["definition"]!["nodes"]!.AsArray().Select(n => n!.AsObject()).ToDictionary(n => n["id"]!.GetValue<string>());

    private static List<string> Links(JsonObject workflow) =>
        [.. workflow["definition"]!["links"]!.AsArray().Select(l => $"{l!["from"]}.{l["fromPort"]}>{l["to"]}").Order()];

    /// <summary>Chooses the test run's device in its autocomplete, as a person does.</summary>
    private static async Task PickDeviceAsync(IPage page, string name)
    {
        var field = page.Locator("input[data-test=designer-test-device]");
        await field.ClickAsync();
        await field.FillAsync(name[..8]);
        await page.Locator(".mud-popover-open").GetByText(name).ClickAsync();
        await Expect(field).ToHaveValueAsync(name);
    }

    private static async Task ExpectVisitedLinksAsync(IPage page, int count) =>
        await Expect(page.Locator($".diagram-link > path:not(.selection-helper)[stroke='{VisitedLinkColor}']")).ToHaveCountAsync(count);

    private static async Task DropAsync(IPage page, string type, int x, int y)
    {
        var before = await page.Locator("[data-test=node]").CountAsync();
        await page.Locator($"[data-test=palette-item][data-type={type}]").DragToAsync(page.Locator("[data-test=canvas]"), new() { TargetPosition = new() { X = x, Y = y } });
        await Expect(page.Locator("[data-test=node]")).ToHaveCountAsync(before + 1);
    }

    /// <summary>Types a setting in the node's form, as a person does.</summary>
    private static async Task FillSettingAsync(IPage page, string node, string setting, string value, string summary)
    {
        await page.Locator($"[data-node-id={node}] .wf-node-title").ClickAsync();
        await page.Locator($"[data-test=input-{setting}]").FillAsync(value);
        await Expect(page.Locator($"[data-node-id={node}] .wf-node-summary")).ToContainTextAsync(summary);
    }
}
