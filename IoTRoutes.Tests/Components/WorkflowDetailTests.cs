using System.Text.Json.Nodes;
using Bunit;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Model;
using IoTRoutes.Core.Workflows.Runner;
using IoTRoutes.Web.Components.Pages.Workflows;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

/// <summary>The workflow page's parts over the real services: what runs (counters, runs) and what the draft would do (tests).</summary>
public sealed class WorkflowDetailTests : PageTestContext
{
    // A text temperature makes the Filter fail: "warm" > 30 cannot be compared.
    private const string HotRooms = """
        {"nodes":[{"id":"in","type":"OnMessage"},{"id":"hot","type":"Filter","name":"Hot?","settings":{"condition":"temp > 30"}},
                  {"id":"alert","type":"RaiseAlert","settings":{"alertType":"HighTemperature","severity":"Major"}},{"id":"log","type":"Log","settings":{"message":"hot"}}],
         "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"alert"},{"from":"hot","fromPort":"true","to":"log"}]}
        """;

    private const string HotLog = """
        {"nodes":[{"id":"in","type":"OnMessage"},{"id":"hot","type":"Filter","name":"Hot?","settings":{"condition":"temp > 30"}},{"id":"log","type":"Log","settings":{"message":"hot"}}],
         "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"log"}]}
        """;

    private WorkflowService Workflows => Services.GetRequiredService<WorkflowService>();

    [Fact]
    public async Task The_runtime_card_shows_what_went_through_each_node_and_reads_it_again_as_time_passes()
    {
        var device = await CreateDeviceAsync("Lab sensor");
        var id = await PublishAsync("Hot rooms", HotRooms);
        await StoreMessageAsync(device, """{"temp":35}""");
        await StoreMessageAsync(device, """{"temp":20}""");
        await StoreMessageAsync(device, """{"temp":"warm"}""");
        await RunnerRoundAsync();

        var cut = Render<WorkflowRuntimeCard>(p => p.Add(x => x.WorkflowId, id).Add(x => x.ActiveVersion, 1).Add(x => x.Enabled, true)
            .Add(x => x.Nodes, Nodes(HotRooms)).Add(x => x.RefreshInterval, TimeSpan.FromSeconds(5)));

        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("[data-test=counter]").Count));
        var hot = cut.FindAll("[data-test=counter]")[1].TextContent;
        Assert.Contains("Hot?", hot);
        Assert.Contains("temp > 30", hot);
        Assert.Matches(@"true\s*1", hot);
        Assert.Matches(@"false\s*1", hot);
        Assert.Equal("3", cut.Find("[data-test=runs-count]").TextContent.Trim());
        Assert.Equal("1", cut.Find("[data-test=errors-count]").TextContent.Trim());
        Assert.Equal("0", cut.Find("[data-test=waiting]").TextContent.Trim());

        await StoreMessageAsync(device, """{"temp":31}""");
        await RunnerRoundAsync();
        Clock.Advance(TimeSpan.FromSeconds(5));

        cut.WaitForAssertion(() => Assert.Equal("4", cut.Find("[data-test=runs-count]").TextContent.Trim()));
        Assert.Matches(@"true\s*2", cut.FindAll("[data-test=counter]")[1].TextContent);
    }

    [Fact]
    public async Task The_runtime_card_of_a_workflow_never_published_says_how_to_make_it_run()
    {
        var id = await CreateAsync("Draft only", HotRooms);

        var cut = Render<WorkflowRuntimeCard>(p => p.Add(x => x.WorkflowId, id).Add(x => x.ActiveVersion, null).Add(x => x.Enabled, true));

        Assert.Contains("Not published yet: publish to run it on messages", cut.Find("[data-test=not-published]").TextContent);
        Assert.Empty(cut.FindAll("[data-test=counters]"));
    }

    [Fact]
    public async Task Without_recorded_runs_the_list_says_what_gets_recorded()
    {
        var id = await PublishAsync("Quiet", HotRooms);

        var cut = Render<WorkflowRuns>(p => p.Add(x => x.WorkflowId, id));

        cut.WaitForAssertion(() => Assert.Contains("No run recorded yet", cut.Find("[data-test=no-runs]").TextContent));
        Assert.Contains("Failed runs are kept here", cut.Find("[data-test=no-runs]").TextContent);
        Assert.Contains("15 minutes", cut.Find("[data-test=no-runs]").TextContent);
    }

    [Fact]
    public async Task A_failed_run_is_listed_with_its_device_and_node_and_opens_to_its_path_and_failing_input()
    {
        var device = await CreateDeviceAsync("Lab sensor");
        var id = await PublishAsync("Hot rooms", HotRooms);
        await StoreMessageAsync(device, """{"temp":35}""");
        await StoreMessageAsync(device, """{"temp":"warm"}""");
        await RunnerRoundAsync();

        var cut = Render<WorkflowRuns>(p => p.Add(x => x.WorkflowId, id).Add(x => x.Nodes, Nodes(HotRooms)));

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-test=runs] tbody tr")));
        var row = cut.Find("[data-test=runs] tbody tr").TextContent;
        Assert.Contains("Lab sensor", row);
        Assert.Contains("failed at Hot?", row);
        Assert.Empty(cut.FindAll("[data-test=run-detail]"));

        await cut.InvokeAsync(() => cut.Find("[data-test=expand-run]").Click());

        cut.WaitForAssertion(() => Assert.Contains("Failed at Hot?", cut.Find("[data-test=run-detail] [data-test=failure]").TextContent));
        var detail = cut.Find("[data-test=run-detail]");
        Assert.Equal(["in", "Hot?"], detail.QuerySelectorAll("[data-test=path] .mud-chip").Select(c => c.TextContent.Trim()));
        Assert.Contains("\"temp\": \"warm\"", detail.QuerySelector("[data-test=failed-input]")!.TextContent);
        Assert.Contains("Each step is recorded only in debug mode", detail.QuerySelector("[data-test=trace-note]")!.TextContent);
    }

    [Fact]
    public async Task The_test_panel_shows_the_path_the_steps_and_what_the_draft_would_do_and_does_none_of_it()
    {
        var id = await CreateAsync("Hot log", HotLog);
        var cut = Render<WorkflowTestPanel>(p => p.Add(x => x.WorkflowId, id).Add(x => x.Revision, 1).Add(x => x.Nodes, Nodes(HotLog)));

        cut.Find("textarea[data-test=test-input]").Change("""{"temp": 35}""");
        await cut.InvokeAsync(() => cut.Find("[data-test=run-test]").Click());

        cut.WaitForAssertion(() => Assert.Contains("without a failure", cut.Find("[data-test=test-outcome]").TextContent));
        Assert.Equal(["in", "Hot?", "log"], cut.FindAll("[data-test=path] .mud-chip").Select(c => c.TextContent.Trim()));
        Assert.Equal("Would log (Information): hot (log)", Normalized(cut.Find("[data-test=effect]").TextContent));
        var steps = cut.FindAll("[data-test=step]");
        Assert.Equal(3, steps.Count);
        Assert.Contains("true", steps[1].TextContent);
        Assert.Contains("{\"temp\":35}", steps[1].TextContent); // the item's fields; the filter passes them on unchanged
        Assert.Contains("unchanged", steps[1].TextContent);
        Assert.Contains("no device, no message", cut.Find("[data-test=item-context]").TextContent);
    }

    [Fact]
    public async Task On_a_stored_message_the_test_panel_shows_the_alert_it_would_raise_on_the_device_and_raises_none()
    {
        var device = await CreateDeviceAsync("Lab sensor");
        var id = await CreateAsync("Hot rooms", HotRooms);
        await StoreMessageAsync(device, """{"temp":35}""");
        var messageId = await LastMessageIdAsync();
        var cut = RenderTestPanel(id);

        await cut.InvokeAsync(() => cut.Instance.TryMessageAsync(messageId));

        cut.WaitForAssertion(() => Assert.Contains("without a failure", cut.Find("[data-test=test-outcome]").TextContent));
        Assert.Equal(["in", "Hot?", "alert", "log"], cut.FindAll("[data-test=path] .mud-chip").Select(c => c.TextContent.Trim()));
        Assert.Contains("Would raise alert HighTemperature (Major) on Lab sensor", cut.FindAll("[data-test=effect]").Select(e => Normalized(e.TextContent)).First());
        Assert.Contains("device Lab sensor, message on devices/", cut.Find("[data-test=item-context]").TextContent);
        await using var db = Db.CreateDbContext();
        Assert.Empty(db.Alerts);
    }

    [Theory]
    [InlineData("{temp: 35", "Not valid JSON at line 1, position 2")]
    [InlineData("[35]", "must be a JSON object")]
    public async Task The_test_panel_refuses_fields_that_are_not_a_json_object_and_says_why(string input, string said)
    {
        var id = await CreateAsync("Hot rooms", HotRooms);
        var cut = RenderTestPanel(id);

        cut.Find("textarea[data-test=test-input]").Change(input);
        await cut.InvokeAsync(() => cut.Find("[data-test=run-test]").Click());

        cut.WaitForAssertion(() => Assert.Contains(said, cut.Markup));
        Assert.Empty(cut.FindAll("[data-test=trace]"));
    }

    [Fact]
    public async Task The_test_panel_names_an_unknown_message_and_the_problems_of_a_draft_that_cannot_run()
    {
        var id = await CreateAsync("Hot rooms", HotRooms);
        var broken = await CreateAsync("Broken", """{"nodes":[{"id":"in","type":"OnMessage"},{"id":"f","type":"Filter","settings":{"condition":"temp >"}}],"links":[{"from":"in","to":"f"}]}""");
        var missing = Guid.CreateVersion7();

        var cut = RenderTestPanel(id);
        await cut.InvokeAsync(() => cut.Instance.TryMessageAsync(missing));
        cut.WaitForAssertion(() => Assert.Contains($"There is no message {missing}", cut.Markup));

        var brokenPanel = RenderTestPanel(broken);
        await cut.InvokeAsync(() => brokenPanel.Find("[data-test=run-test]").Click());
        brokenPanel.WaitForAssertion(() => Assert.Contains("The draft has", brokenPanel.Find("[data-test=test-error]").TextContent));
        Assert.Contains("condition", brokenPanel.Find("[data-test=test-problems]").TextContent);
    }

    [Fact]
    public async Task Test_cases_run_on_the_draft_and_a_failing_one_says_what_it_missed()
    {
        var (request, errors) = WorkflowRequestReader.ReadCreate(new JsonObject
        {
            ["name"] = "Tested", ["definition"] = JsonNode.Parse(HotRooms),
            ["testCases"] = JsonNode.Parse("""
                [{"name":"cold stays quiet","input":{"temp":20},"expected":{"ports":{"hot":"false"},"effects":[]}},
                 {"name":"hot logs","input":{"temp":35},"expected":{"ports":{"hot":"false"}}}]
                """),
        });
        Assert.Empty(errors);
        var id = (await Workflows.CreateAsync(request!, default)).Id!.Value;
        var workflow = (await Workflows.FindAsync(id, default))!;

        var cut = Render<WorkflowTestCases>(p => p.Add(x => x.WorkflowId, id).Add(x => x.TestCases, workflow.TestCases).Add(x => x.Revision, 1).Add(x => x.Nodes, Nodes(HotRooms)));
        await cut.InvokeAsync(() => cut.Find("[data-test=run-test-cases]").Click());

        cut.WaitForAssertion(() => Assert.Contains("1 of 2 passed on revision 1", cut.Find("[data-test=test-cases-summary]").TextContent));
        var rows = cut.FindAll("[data-test=test-case]");
        Assert.Contains("passed", rows[0].TextContent);
        Assert.Contains("failed", rows[1].TextContent);
        Assert.Contains("hot", rows[1].TextContent);
    }

    [Fact]
    public async Task From_a_failed_run_the_page_tests_the_draft_on_its_message()
    {
        var device = await CreateDeviceAsync("Lab sensor");
        var id = await PublishAsync("Hot rooms", HotRooms);
        await StoreMessageAsync(device, """{"temp":"warm"}""");
        await RunnerRoundAsync();
        Render<MudPopoverProvider>();
        var cut = Render<WorkflowDetail>(p => p.Add(x => x.Id, id));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-test=runs] tbody tr")));

        await cut.InvokeAsync(() => cut.Find("[data-test=expand-run]").Click());
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=try-message]")));
        await cut.InvokeAsync(() => cut.Find("[data-test=try-message]").Click());

        cut.WaitForAssertion(() => Assert.Contains("Failed at Hot?", cut.Find("[data-test=test-panel] [data-test=failure]").TextContent));
        Assert.Equal((await LastMessageIdAsync()).ToString(), cut.Find("input[data-test=test-message]").GetAttribute("value"));
    }

    [Fact]
    public async Task Export_saves_the_document_the_service_gives_as_a_file_named_after_the_workflow()
    {
        var id = await CreateAsync("Hot rooms", HotRooms);
        var download = JSInterop.SetupModule("./js/download.js");
        download.SetupVoid("saveText", _ => true).SetVoidResult();
        Render<MudPopoverProvider>();
        var cut = Render<WorkflowDetail>(p => p.Add(x => x.Id, id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-test=export]")));

        await cut.InvokeAsync(() => cut.Find("[data-test=export]").Click());

        cut.WaitForAssertion(() => Assert.Single(download.Invocations["saveText"]));
        var arguments = download.Invocations["saveText"][0].Arguments;
        Assert.Equal(("Hot rooms.iotroutes-workflow.json", "application/json"), ((string)arguments[0]!, (string)arguments[2]!));
        var file = JsonNode.Parse((string)arguments[1]!)!.AsObject();
        var expected = System.Text.Json.JsonSerializer.SerializeToNode(await Workflows.ExportAsync(id, default), System.Text.Json.JsonSerializerOptions.Web)!.AsObject();
        Assert.Equal(expected["exportedAt"]!.GetValue<DateTimeOffset>(), file["exportedAt"]!.GetValue<DateTimeOffset>()); // the clock stands still here
        Assert.True(JsonNode.DeepEquals(expected, file), file.ToJsonString());
        Assert.Contains("\n", (string)arguments[1]!); // indented, for a file kept in a repository
    }

    private static string Normalized(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    private IRenderedComponent<WorkflowTestPanel> RenderTestPanel(Guid id) =>
        Render<WorkflowTestPanel>(p => p.Add(x => x.WorkflowId, id).Add(x => x.Revision, 1).Add(x => x.Nodes, Nodes(HotRooms)));

    private IReadOnlyList<WorkflowNodeSummary> Nodes(string definition) => Workflows.Summaries(WorkflowGraph.Parse(definition));

    private async Task<Guid> CreateAsync(string name, string definition)
    {
        var (request, errors) = WorkflowRequestReader.ReadCreate(new JsonObject { ["name"] = name, ["definition"] = JsonNode.Parse(definition) });
        Assert.Empty(errors);
        return (await Workflows.CreateAsync(request!, default)).Id!.Value;
    }

    private async Task<Guid> PublishAsync(string name, string definition)
    {
        var id = await CreateAsync(name, definition);
        Assert.Equal(IoTRoutes.Core.ChangeOutcome.Done, (await Workflows.PublishAsync(id, null, null, default)).Outcome);
        return id;
    }

    /// <summary>One round of the app's runner over what is stored, as the hosted service would run it.</summary>
    private async Task RunnerRoundAsync()
    {
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        await Services.GetRequiredService<WorkflowRunner>().RunOnceAsync(default);
    }

    private async Task<Guid> LastMessageIdAsync()
    {
        await using var db = Db.CreateDbContext();
        return db.Messages.AsEnumerable().MaxBy(m => m.ReceivedAt)!.Id;
    }
}
