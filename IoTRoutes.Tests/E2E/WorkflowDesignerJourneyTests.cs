using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Tests.Integration;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IoTRoutes.Tests.E2E;

/// <summary>An operator draws a workflow in the designer, in Debian's Chromium, and it runs on a real MQTT message.</summary>
public sealed class WorkflowDesignerJourneyTests(BrowserApp app) : BrowserJourney(app)
{
    [Fact]
    public async Task An_operator_draws_a_workflow_publishes_it_and_a_hot_message_raises_the_alert()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Designer greenhouse");
        var workflowId = await CreateEmptyWorkflowAsync(api, "Drawn hot rooms");
        var page = await NewSignedInPageAsync();
        await Browser.JourneyAsync(page, "designer", async () =>
        {
            await page.GotoAsync($"{App.BaseAddress}/workflows/{workflowId}");
            await Expect(page.Locator("[data-test=designer][data-ready=true]")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-test=designer-empty]")).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("designer-empty.png") });

            await DropAsync(page, "OnMessage", 120, 160);
            await DropAsync(page, "Filter", 420, 160);
            await DropAsync(page, "RaiseAlert", 420, 400);
            await Expect(page.Locator("[data-test=node]")).ToHaveCountAsync(3);

            await LinkAsync(page, "on-message", "out", "filter");
            await LinkAsync(page, "filter", "true", "raise-alert");
            await Expect(page.Locator(".diagram-link")).ToHaveCountAsync(2);

            await FillSettingAsync(page, "filter", "condition", "temp > 30", "temp > 30");
            await FillSettingAsync(page, "raise-alert", "alertType", "HighTemperature", "HighTemperature");
            await FillSettingAsync(page, "raise-alert", "message", "{{ device.name }} is at {{ temp }} °C", "HighTemperature");
            // The trigger's device is picked by name; the node keeps its id.
            await page.Locator("[data-node-id=on-message] .wf-node-title").ClickAsync();
            await page.Locator("[data-test=input-deviceIds]").FillAsync("designer green");
            await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = device.Name }).First.ClickAsync();
            await Expect(page.Locator("[data-test=reference-list-setting] [data-test=chip]")).ToHaveTextAsync([new System.Text.RegularExpressions.Regex($"^{device.Name}")]);
            await Expect(page.Locator("[data-node-id=on-message] .wf-node-summary")).ToContainTextAsync("Telemetry · 1 device");
            await Expect(page.Locator("[data-test=save-status]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Saved"));
            await page.Keyboard.PressAsync("Escape");
            await page.Locator("[data-test=canvas]").ClickAsync(new() { Position = new() { X = 40, Y = 600 } });
            await Expect(page.Locator("[data-test=designer-no-problems]")).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("designer-workflow.png") });

            await page.Locator("[data-test=publish-open]").ClickAsync();
            await Expect(page.Locator("[data-test=publish-diff]")).ToContainTextAsync("+ node filter");
            await page.Locator("[data-test=publish-confirm]").ClickAsync();
            await Expect(page.GetByText("Published as v1")).ToBeVisibleAsync();

            await MosquittoPub.PublishAsync(App.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":35}""");
            await page.GotoAsync($"{App.BaseAddress}/alerts");
            await Expect(page.GetByText("Designer greenhouse is at 35 °C").First).ToBeVisibleAsync(new() { Timeout = 30_000 });

            // Where did this message go: from the Messages page to its path drawn on the canvas.
            await page.GotoAsync($"{App.BaseAddress}/messages");
            // The live list may redraw its row as the click lands (or before the page is interactive): a person clicks again.
            var trace = page.Locator("tr", new() { HasText = "\"temp\":35" }).Locator("[data-test=message-trace]").First;
            for (var attempt = 0; attempt < 3 && !page.Url.Contains("/workflows/"); attempt++)
            {
                await trace.ClickAsync();
                try
                {
                    await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/workflows/"), new() { Timeout = 5_000 });
                }
                catch (TimeoutException)
                {
                }
            }

            await Expect(page.Locator("[data-test=message-path]")).ToContainTextAsync("The path of message");
            await Expect(page.Locator(".wf-node.trace-visited")).ToHaveCountAsync(3);
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("designer-message-path.png") });
        });

        // What the browser drew is the definition the engine ran.
        var saved = await api.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflowId}");
        var links = saved!["definition"]!["links"]!.AsArray().Select(l => $"{l!["from"]}.{l["fromPort"]}>{l["to"]}").Order().ToList();
        Assert.Equal(["filter.true>raise-alert", "on-message.out>filter"], links);
        var trigger = saved["definition"]!["nodes"]!.AsArray().Single(n => n!["id"]!.GetValue<string>() == "on-message")!;
        Assert.Equal([device.Id.ToString("D")], trigger["settings"]!["deviceIds"]!.AsArray().Select(d => d!.GetValue<string>()));
    }

    [Fact]
    public async Task Undo_and_redo_walk_every_change_back_and_forth_exactly()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var workflowId = await CreateEmptyWorkflowAsync(api, "Undo walk");
        var page = await NewSignedInPageAsync();
        await Browser.JourneyAsync(page, "designer-undo", async () =>
        {
            await page.GotoAsync($"{App.BaseAddress}/workflows/{workflowId}");
            await Expect(page.Locator("[data-test=designer][data-ready=true]")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-test=designer-empty]")).ToBeVisibleAsync();
            var states = new List<string> { await DefinitionAsync(page) };
            await DropAsync(page, "OnMessage", 100, 120);
            states.Add(await DefinitionAsync(page));
            await DropAsync(page, "Filter", 400, 120);
            states.Add(await DefinitionAsync(page));
            await DropAsync(page, "Log", 400, 360);
            states.Add(await DefinitionAsync(page));
            await LinkAsync(page, "on-message", "out", "filter");
            states.Add(await DefinitionAsync(page));
            await LinkAsync(page, "filter", "false", "log");
            states.Add(await DefinitionAsync(page));
            await SetSettingsAsync(page, "filter", """{"condition":"temp < 0"}""", "temp < 0");
            states.Add(await DefinitionAsync(page));
            await MoveAsync(page, "log", 120, 60);
            states.Add(await DefinitionAsync(page));

            await page.Locator("[data-test=canvas]").ClickAsync(new() { Position = new() { X = 30, Y = 600 } });
            for (var i = states.Count - 2; i >= 0; i--)
            {
                await page.Keyboard.PressAsync("Control+z");
                await ExpectDrawnAsync(page, states[i]);
            }

            for (var i = 1; i < states.Count; i++)
            {
                await page.Keyboard.PressAsync("Control+y");
                await ExpectDrawnAsync(page, states[i]);
            }
        });

        // And the draft saved is the last state.
        await Eventually.GetAsync(async () =>
        {
            var saved = await api.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflowId}");
            return saved!["definition"]!["nodes"]!.AsArray().Count == 3 && saved["definition"]!["links"]!.AsArray().Count == 2 ? saved : null;
        }, "the last state saved");
    }

    [Fact]
    public async Task A_test_run_drawn_on_the_canvas_is_kept_as_a_test_case_that_passes_from_the_api()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var definition = JsonNode.Parse("""
            {"nodes":[{"id":"in","type":"OnMessage","x":40,"y":40},{"id":"hot","type":"Filter","settings":{"condition":"temp > 30"},"x":340,"y":40},
                      {"id":"log","type":"Log","settings":{"message":"hot: {{ temp }}"},"x":640,"y":40}],
             "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"log"}]}
            """)!.AsObject();
        var response = await api.PostAsJsonAsync("/api/v1/workflows", new JsonObject { ["name"] = $"Kept case {Guid.NewGuid():N}"[..24], ["definition"] = definition });
        response.EnsureSuccessStatusCode();
        var workflowId = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var page = await NewSignedInPageAsync();
        await Browser.JourneyAsync(page, "designer-test-case", async () =>
        {
            await page.GotoAsync($"{App.BaseAddress}/workflows/{workflowId}");
            await Expect(page.Locator("[data-test=designer][data-ready=true]")).ToBeVisibleAsync();
            await page.Locator("[data-test=designer-test-open]").ClickAsync();
            await page.Locator("textarea[data-test=designer-test-fields]").FillAsync("""{"temp": 35}""");
            await page.Locator("[data-test=designer-test-run]").ClickAsync();
            await Expect(page.Locator(".wf-node.trace-visited")).ToHaveCountAsync(3);
            await page.Locator("[data-test=designer-case-name]").FillAsync("hot goes to the log");
            await page.Locator("[data-test=designer-case-save]").ClickAsync();
            await Expect(page.GetByText("Test case hot goes to the log saved")).ToBeVisibleAsync();

            // A cold run stops at the filter; the saved case, picked and run, goes to the log again.
            await page.Locator("textarea[data-test=designer-test-fields]").FillAsync("""{"temp": 10}""");
            await page.Locator("[data-test=designer-test-run]").ClickAsync();
            await Expect(page.Locator(".wf-node.trace-visited")).ToHaveCountAsync(2);
            await page.Locator("[data-test=designer-case-pick]").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "hot goes to the log" }).ClickAsync();
            await page.Locator("[data-test=designer-case-run]").ClickAsync();
            await Expect(page.Locator(".wf-node.trace-visited")).ToHaveCountAsync(3);
        });

        var results = await (await api.PostAsync($"/api/v1/workflows/{workflowId}/tests/run", null)).Content.ReadFromJsonAsync<JsonArray>();
        var result = Assert.Single(results!);
        Assert.Equal("hot goes to the log", result!["name"]!.GetValue<string>());
        Assert.True(result["passed"]!.GetValue<bool>(), result.ToJsonString());
    }

    [Fact]
    public async Task Ten_nodes_with_parallel_branches_and_a_join_come_back_exactly_after_twenty_undos_and_twenty_redos()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var workflowId = await CreateEmptyWorkflowAsync(api, "Undo twenty");
        var page = await NewSignedInPageAsync(width: 1900);
        var states = new List<string>();
        JsonObject? before = null;
        await Browser.JourneyAsync(page, "designer-undo-twenty", async () =>
        {
            await page.GotoAsync($"{App.BaseAddress}/workflows/{workflowId}");
            await Expect(page.Locator("[data-test=designer][data-ready=true]")).ToBeVisibleAsync();
            async Task StepAsync(Func<Task> change)
            {
                await change();
                states.Add(await DefinitionAsync(page));
            }

            // Ten nodes (centres given), two parallel branches from the filter into a join, settings on four of them.
            (string Type, int X, int Y)[] drops =
            [
                ("OnMessage", 130, 60), ("Filter", 390, 60), ("Transform", 650, 40), ("Transform", 650, 220), ("Join", 910, 60),
                ("Log", 910, 300), ("Delay", 130, 260), ("Log", 390, 300), ("Threshold", 130, 460), ("RaiseAlert", 390, 460),
            ];
            foreach (var (type, x, y) in drops) await StepAsync(() => DropAsync(page, type, x, y));
            await StepAsync(() => LinkAsync(page, "on-message", "out", "filter"));
            await StepAsync(() => LinkAsync(page, "filter", "true", "transform"));
            await StepAsync(() => LinkAsync(page, "filter", "true", "transform-2"));
            await StepAsync(() => LinkAsync(page, "transform", "out", "join"));
            await StepAsync(() => LinkAsync(page, "transform-2", "out", "join"));
            await StepAsync(() => LinkAsync(page, "join", "out", "log"));
            await StepAsync(() => LinkAsync(page, "filter", "false", "log-2"));
            await StepAsync(() => FillSettingAsync(page, "filter", "condition", "temp > 30", "temp > 30"));
            await StepAsync(() => FillSettingAsync(page, "join", "timeout", "10s", "wait 10s"));
            await StepAsync(() => FillSettingAsync(page, "delay", "duration", "5s", "5s"));
            await StepAsync(() => MoveAsync(page, "log-2", 40, 80));
            Assert.Equal(21, states.Count);
            await Expect(page.Locator("[data-test=save-status]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Saved"));
            before = await api.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflowId}");

            await page.Keyboard.PressAsync("Escape");
            await page.Locator("[data-test=canvas]").ClickAsync(new() { Position = new() { X = 600, Y = 620 } });
            for (var i = 1; i <= 20; i++)
            {
                await page.Keyboard.PressAsync("Control+z");
                await ExpectDrawnAsync(page, states[^(1 + i)]);
            }

            for (var i = 19; i >= 0; i--)
            {
                await page.Keyboard.PressAsync("Control+y");
                await ExpectDrawnAsync(page, states[^(1 + i)]);
            }

            await Expect(page.Locator("[data-test=save-status]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Saved"));
        });

        // Positions, settings and links as they were before the walk, in the saved draft too.
        var after = await api.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflowId}");
        Assert.Equal(before!["definition"]!.ToJsonString(), after!["definition"]!.ToJsonString());
    }

    [Fact]
    public async Task A_comment_note_is_written_on_the_canvas_kept_in_the_draft_and_ignored_by_the_engine()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var workflowId = await CreateEmptyWorkflowAsync(api, "Noted");
        var page = await NewSignedInPageAsync();
        await Browser.JourneyAsync(page, "designer-note", async () =>
        {
            await page.GotoAsync($"{App.BaseAddress}/workflows/{workflowId}");
            await Expect(page.Locator("[data-test=designer][data-ready=true]")).ToBeVisibleAsync();
            await DropAsync(page, "OnMessage", 130, 80);
            await page.Locator("[data-test=palette-item][data-type=Note]").DragToAsync(page.Locator("[data-test=canvas]"), new() { TargetPosition = new() { X = 420, Y = 260 } });
            await Expect(page.Locator("[data-test=note]")).ToHaveCountAsync(1);
            await page.Locator("textarea[data-test=note-text]").FillAsync("Ask Ann before changing the cooling.");
            await page.Locator("textarea[data-test=note-text]").BlurAsync();
            await Expect(page.Locator("[data-test=note]")).ToContainTextAsync("Ask Ann before changing the cooling.");
            await Expect(page.Locator("[data-test=save-status]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Saved"));

            await page.ReloadAsync();
            await Expect(page.Locator("[data-test=designer][data-ready=true]")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-test=note]")).ToContainTextAsync("Ask Ann before changing the cooling.");

            // A note copies and pastes like a node, beside itself.
            await page.Locator("[data-test=note]").ClickAsync();
            await Expect(page.Locator(".wf-note.selected")).ToHaveCountAsync(1);
            await page.Keyboard.PressAsync("Control+c");
            await page.Keyboard.PressAsync("Control+v");
            await Expect(page.Locator("[data-test=note]")).ToHaveCountAsync(2);
            await Expect(page.Locator("[data-note-id=note-2]")).ToContainTextAsync("Ask Ann before changing the cooling.");
            await Expect(page.Locator("[data-test=save-status]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Saved"));
        });

        // "Saved" may still be the label of the save before the paste (autosave waits a moment): wait for the draft itself.
        var saved = await Eventually.GetAsync(async () =>
        {
            var draft = await api.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflowId}");
            return draft!["definition"]!["notes"]!.AsArray().Count == 2 ? draft : null;
        }, "the pasted note saved");
        Assert.Equal(["Ask Ann before changing the cooling.", "Ask Ann before changing the cooling."],
            saved!["definition"]!["notes"]!.AsArray().Select(n => n!["text"]!.GetValue<string>()));
        // The engine never sees it: the draft's only problem is the trigger leading nowhere, never the note.
        Assert.DoesNotContain(saved["problems"]!.AsArray(), p => p!["nodeId"]?.GetValue<string>() == "note");
    }

    [Fact]
    public async Task An_operator_draws_a_schedule_report_job_runs_it_now_follows_it_live_and_downloads_the_pdf()
    {
        using var api = await App.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync($"Reported boiler {Guid.NewGuid():N}"[..24]);
        foreach (var temp in new[] { 60, 70, 80 })
        {
            await MosquittoPub.PublishAsync(App.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", $$"""{"temp":{{temp}}}""");
        }

        var workflowId = await CreateEmptyWorkflowAsync(api, "Boiler report");
        var page = await NewSignedInPageAsync();
        await Browser.JourneyAsync(page, "report-job", async () =>
        {
            await page.GotoAsync($"{App.BaseAddress}/workflows/{workflowId}");
            await Expect(page.Locator("[data-test=designer][data-ready=true]")).ToBeVisibleAsync();
            await DropAsync(page, "Schedule", 120, 160);
            await DropAsync(page, "Report", 420, 160);
            await LinkAsync(page, "schedule", "out", "report");
            await FillSettingAsync(page, "schedule", "cron", "0 7 * * 1-5", "every weekday at 07:00, UTC");
            await Expect(page.Locator("[data-test=save-status]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Saved"));
            await page.Locator("[data-test=publish-open]").ClickAsync();
            await page.Locator("[data-test=publish-confirm]").ClickAsync();
            await Expect(page.GetByText("Published as v1")).ToBeVisibleAsync();

            await page.GotoAsync($"{App.BaseAddress}/jobs");
            var row = page.Locator("tr", new() { HasText = "Boiler report" });
            await Expect(row).ToContainTextAsync("every weekday at 07:00, UTC");
            await row.Locator("[data-test=job-link]").ClickAsync();
            await Expect(page.Locator("[data-test=job-summary]")).ToContainTextAsync("every weekday at 07:00, UTC");
            // A click that lands before the page is interactive does nothing: a person clicks again.
            for (var attempt = 0; attempt < 5 && !await page.Locator("[data-test=run-confirm]").IsVisibleAsync(); attempt++)
            {
                await page.Locator("[data-test=run-now]").ClickAsync();
                await page.WaitForTimeoutAsync(1000);
            }

            await page.Locator("[data-test=run-confirm]").ClickAsync();
            // The history follows the run without a reload: queued or running, then succeeded.
            await Expect(page.Locator("[data-test=runs] [data-test=run-status]").First).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 30_000 });
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("jobs-report-run.png"), FullPage = true });

            await page.GotoAsync($"{App.BaseAddress}/files");
            var pdfLink = page.Locator("[data-test=download]", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^Telemetry report .*\\.pdf$") }).First;
            // As with Run now: a click that lands while the page is still becoming interactive starts nothing; a person clicks again.
            IDownload? download = null;
            for (var attempt = 0; download is null; attempt++)
            {
                try
                {
                    download = await page.RunAndWaitForDownloadAsync(() => pdfLink.ClickAsync(), new() { Timeout = 15_000 });
                }
                catch (TimeoutException) when (attempt < 2)
                {
                }
            }


            using var pdf = UglyToad.PdfPig.PdfDocument.Open(await File.ReadAllBytesAsync((await download.PathAsync())!));
            var text = string.Join("\n", pdf.GetPages().Select(p => p.Text));
            Assert.Contains(device.Name, text);
            Assert.Contains("70", text); // the mean of 60, 70, 80
            Assert.True(pdf.GetPages().Sum(p => p.GetImages().Count()) >= 1, "the chart");
        });
    }

    private async Task<IPage> NewSignedInPageAsync(int width = 1500)
    {
        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = 1000 } });
        await page.GotoAsync(App.BaseAddress + "/account/login");
        await page.Locator("#email").FillAsync(IoTRoutesApp.AdminEmail);
        await page.Locator("#password").FillAsync(IoTRoutesApp.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        return page;
    }

    private static async Task<Guid> CreateEmptyWorkflowAsync(HttpClient api, string name)
    {
        var response = await api.PostAsJsonAsync("/api/v1/workflows", new JsonObject { ["name"] = $"{name} {Guid.NewGuid():N}"[..30], ["definition"] = new JsonObject { ["nodes"] = new JsonArray(), ["links"] = new JsonArray() } });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static async Task DropAsync(IPage page, string type, int x, int y)
    {
        var before = await page.Locator("[data-test=node]").CountAsync();
        await page.Locator($"[data-test=palette-item][data-type={type}]").DragToAsync(page.Locator("[data-test=canvas]"), new() { TargetPosition = new() { X = x, Y = y } });
        await Expect(page.Locator("[data-test=node]")).ToHaveCountAsync(before + 1);
    }

    /// <summary>Drags from an output port to another node's input, as a person does.</summary>
    private static async Task LinkAsync(IPage page, string from, string port, string to)
    {
        var before = await page.Locator(".diagram-link").CountAsync();
        var source = (await page.Locator($"[data-node-id={from}] .wf-port-out[data-port-id='{from}:out:{port}']").BoundingBoxAsync())!;
        var target = (await page.Locator($"[data-node-id={to}] .wf-port-in").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(source.X + source.Width / 2, source.Y + source.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((source.X + target.X) / 2, (source.Y + target.Y) / 2, new() { Steps = 5 });
        await page.Mouse.MoveAsync(target.X + target.Width / 2, target.Y + target.Height / 2, new() { Steps = 5 });
        await page.Mouse.UpAsync();
        await Expect(page.Locator(".diagram-link")).ToHaveCountAsync(before + 1);
    }

    private static async Task MoveAsync(IPage page, string node, int dx, int dy)
    {
        var (top, left) = await NodePositionAsync(page, node);
        var header = (await page.Locator($"[data-node-id={node}] .wf-node-title").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(header.X + 5, header.Y + 5);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(header.X + 5 + dx, header.Y + 5 + dy, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        // The canvas draws each step of the drag through the circuit: on a loaded machine the last one lands a moment after
        // the mouse is up, and a state read before it would be a step short. Wait until the node has moved and stays put
        // (three readings alike, 100 ms apart; the grid snaps it, so its end is not exactly dx, dy away).
        var last = await NodePositionAsync(page, node);
        for (var (i, alike) = (0, 0); i < 80 && (last == (top, left) || alike < 2); i++)
        {
            await Task.Delay(100);
            var now = await NodePositionAsync(page, node);
            alike = now == last ? alike + 1 : 0;
            last = now;
        }

        Assert.NotEqual((top, left), last);
        await Expect(page.Locator("[data-test=save-status]")).Not.ToHaveTextAsync("Saving…");
    }

    /// <summary>Where the canvas draws the node (its box's top and left, in pixels).</summary>
    private static async Task<(double Top, double Left)> NodePositionAsync(IPage page, string node)
    {
        var position = await page.EvaluateAsync<double[]>($$"""
            () => {
              const box = document.querySelector('[data-node-id="{{node}}"]').closest('.diagram-node');
              return [parseFloat(box.style.top), parseFloat(box.style.left)];
            }
            """);
        return (position[0], position[1]);
    }

    /// <summary>Types a setting in the node's form, as a person does.</summary>
    private static async Task FillSettingAsync(IPage page, string node, string setting, string value, string summary)
    {
        await page.Locator($"[data-node-id={node}] .wf-node-title").ClickAsync();
        await page.Locator($"[data-test=input-{setting}]").FillAsync(value);
        await Expect(page.Locator($"[data-node-id={node}] .wf-node-summary")).ToContainTextAsync(summary);
    }

    /// <summary>Replaces a node's settings in the panel's JSON view.</summary>
    private static async Task SetSettingsAsync(IPage page, string node, string settings, string summary)
    {
        await page.Locator($"[data-node-id={node}] .wf-node-title").ClickAsync();
        await page.GetByText("Settings as JSON").ClickAsync();
        var field = page.Locator("textarea[data-test=node-settings-json]");
        await field.FillAsync(settings);
        await field.BlurAsync();
        await Expect(page.Locator($"[data-node-id={node}] .wf-node-summary")).ToContainTextAsync(summary);
    }

    private static async Task ExpectDrawnAsync(IPage page, string expected)
    {
        var drawn = "";
        for (var i = 0; i < 50 && drawn != expected; i++)
        {
            if (i > 0) await Task.Delay(100);
            drawn = await DefinitionAsync(page);
        }

        Assert.Equal(expected, drawn);
    }

    /// <summary>The draft as the designer holds it, read from the page's JSON tab would need a save; the canvas's own data is the nodes and links drawn.</summary>
    private static async Task<string> DefinitionAsync(IPage page) =>
        await page.EvaluateAsync<string>("""
            () => {
              const nodes = [...document.querySelectorAll('[data-test=node]')].map(n => {
                const box = n.closest('.diagram-node');
                return n.dataset.nodeId + '@' + (box ? box.style.top + ',' + box.style.left : '') + ':' + n.querySelector('.wf-node-summary').textContent;
              }).sort();
              const links = document.querySelectorAll('.diagram-link').length;
              return nodes.join('|') + '#' + links;
            }
            """);
}
