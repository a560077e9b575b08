using System.Text.Json.Nodes;
using BlazorMonaco.Editor;
using Bunit;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using IoTRoutes.Web.Components.Pages.Workflows.Designer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using MudBlazor;
using MudBlazor.Services;

namespace IoTRoutes.Tests.Components;

/// <summary>
/// The designer's settings panel over the real catalog and compiler: a form per action from its descriptors, whose
/// edits are the JSON the action's own compilation accepts.
/// </summary>
public sealed class NodeSettingsPanelTests : PageTestContext
{
    // Checks run after a debounce on the thread pool: on a machine busy with the browser journeys, a second is not always enough.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private const string DeviceId = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    private const string EntityId = "8c7a3c1e-2b0d-4a55-9d3e-6f1f2b9a0c11";

    private readonly List<NodeSettingsChange> _changes = [];

    private ActionCatalog Catalog => Services.GetRequiredService<ActionCatalog>();

    private WorkflowCompiler Compiler => Services.GetRequiredService<WorkflowCompiler>();

    private NodeSettingsChange Last => Assert.IsType<NodeSettingsChange>(_changes.LastOrDefault());

    /// <summary>
    /// For every action: settings it accepts, one edit through the form (of a kind its settings have), and the settings the
    /// edit must give. Together they edit every kind of setting but Json, which no action has yet (tested on its own).
    /// </summary>
    private static readonly Dictionary<string, (string Settings, Func<Form, Task> Edit, string Expected)> Examples = new()
    {
        ["OnMessage"] = ("""{"exchangeType":"Telemetry"}""", f => f.SelectAsync("exchangeType", "Event"), """{"exchangeType":"Event"}"""),
        ["OnDeviceConnected"] = ("{}", f => f.AddChipAsync("deviceIds", DeviceId), $$"""{"deviceIds":["{{DeviceId}}"]}"""),
        ["OnDeviceDisconnected"] = ($$"""{"entityId":"{{EntityId}}"}""", f => f.TypeAsync("profileId", DeviceId),
            $$"""{"entityId":"{{EntityId}}","profileId":"{{DeviceId}}"}"""),
        ["Schedule"] = ("""{"cron":"0 7 * * *"}""", f => f.TypeAsync("cron", "0 8 * * 1-5"), """{"cron":"0 8 * * 1-5"}"""),
        ["Manual"] = ("{}", f => f.TypeAsync("retries", "2"), """{"retries":2}"""),
        ["OnAlert"] = ("{}", f => f.AddChipAsync("alertTypes", "Overheat"), """{"alertTypes":["Overheat"]}"""),
        ["Report"] = ("{}", f => f.TypeAsync("period", "7d"), """{"period":"7d"}"""),
        ["InterpretMedia"] = ("{}", f => f.TypeAsync("file", "photoId"), """{"file":"photoId"}"""),
        ["SendEmail"] = ($$"""{"communicator":"{{DeviceId}}","to":"ops@example.com","subject":"Hot","text":"Too hot"}""", f => f.TypeAsync("subject", "Kiln is hot"),
            $$"""{"communicator":"{{DeviceId}}","to":"ops@example.com","subject":"Kiln is hot","text":"Too hot"}"""),
        ["HttpRequest"] = ($$"""{"communicator":"{{DeviceId}}","method":"POST","path":"old"}""", f => f.TypeAsync("path", "readings"),
            $$"""{"communicator":"{{DeviceId}}","method":"POST","path":"readings"}"""),
        ["UploadFile"] = ($$"""{"communicator":"{{DeviceId}}","source":"Csv"}""", f => f.TypeAsync("rows", "telemetry"),
            $$"""{"communicator":"{{DeviceId}}","source":"Csv","rows":"telemetry"}"""),
        ["ForwardToMqtt"] = ($$"""{"communicator":"{{DeviceId}}","topic":"old"}""", f => f.TypeAsync("topic", "site/{{ device.key }}"),
            $$$"""{"communicator":"{{{DeviceId}}}","topic":"site/{{ device.key }}"}"""),
        ["QueryTelemetry"] = ("{}", f => f.TypeAsync("period", "1h"), """{"period":"1h"}"""),
        ["SendCommandToMany"] = ("""{"name":"reboot"}""", f => f.TypeAsync("expiresInSeconds", "60"), """{"name":"reboot","expiresInSeconds":60}"""),
        ["Join"] = ("""{"timeout":"30s"}""", f => f.TypeAsync("timeout", "2m"), """{"timeout":"2m"}"""),
        ["Filter"] = ("""{"condition":"temp > 30"}""", f => f.TypeAsync("condition", "temp > 35 && has('humidity')"), """{"condition":"temp > 35 && has('humidity')"}"""),
        ["Switch"] = ("""{"cases":[{"name":"hot","condition":"temp > 30"}]}""", async f =>
            {
                await f.AddRowAsync("cases", ("row-name", "cold"), ("row-condition", "temp < 5"));
                await f.ToggleAsync("all");
            },
            """{"cases":[{"name":"hot","condition":"temp > 30"},{"name":"cold","condition":"temp < 5"}],"all":true}"""),
        ["Transform"] = ("""{"set":{"tempF":"temp * 9 / 5 + 32"}}""", async f =>
            {
                await f.AddRowAsync("set", ("map-key", "site"), ("map-value", "'north'"));
                await f.AddRowAsync("rename", ("map-key", "hum"), ("map-value", "humidity"));
                await f.AddChipAsync("remove", "raw");
            },
            """{"set":{"tempF":"temp * 9 / 5 + 32","site":"'north'"},"rename":{"hum":"humidity"},"remove":["raw"]}"""),
        ["Log"] = ("""{"message":"{{ device.name }}: {{ temp }}"}""", f => f.TypeAsync("message", "Hot: {{ temp | round: 1 }} °C"), """{"message":"Hot: {{ temp | round: 1 }} °C"}"""),
        ["Delay"] = ("""{"duration":"5s"}""", f => f.TypeAsync("duration", "500ms"), """{"duration":"500ms"}"""),
        ["Threshold"] = ("""{"field":"temp","threshold":30}""", f => f.TypeAsync("threshold", "32.5"), """{"field":"temp","threshold":32.5}"""),
        ["Anomaly"] = ("""{"field":"temp"}""", f => f.TypeAsync("window", "20"), """{"field":"temp","window":20}"""),
        ["RaiseAlert"] = ("""{"alertType":"HighTemperature"}""", f => f.TypeAsync("value", "round(temp, 1)"), """{"alertType":"HighTemperature","value":"round(temp, 1)"}"""),
        ["ClearAlert"] = ("""{"alertType":"HighTemperature"}""", f => f.TypeAsync("alertType", "Overheating"), """{"alertType":"Overheating"}"""),
        ["SetAttribute"] = ("""{"attributes":{"lastTemp":"temp"}}""", f => f.AddRowAsync("attributes", ("map-key", "room"), ("map-value", "'B12'")),
            """{"attributes":{"lastTemp":"temp","room":"'B12'"}}"""),
        ["SaveTelemetry"] = ("""{"fields":{"heatIndex":"temp * 1.1"}}""", f => f.TypeInRowAsync("fields", 0, "map-value", "temp * 1.2"), """{"fields":{"heatIndex":"temp * 1.2"}}"""),
        // A constant of the payload (3) stays a number; the lifetime is an integer.
        ["SendCommand"] = ("""{"name":"set-temperature","payload":{"setpoint":"temp - 2","level":3}}""", f => f.TypeAsync("expiresInSeconds", "600"),
            """{"name":"set-temperature","payload":{"setpoint":"temp - 2","level":3},"expiresInSeconds":600}"""),
        ["Script"] = ("""{"script":"function process(item) { return item; }"}""", f => f.TypeScriptAsync("function process(item) { item.f = item.c * 9 / 5 + 32; return item; }"),
            """{"script":"function process(item) { item.f = item.c * 9 / 5 + 32; return item; }"}"""),
    };

    public static TheoryData<string> ActionTypes() => [.. Examples.Keys];

    [Fact]
    public void Every_registered_action_has_an_example_here()
    {
        Assert.Equal(Catalog.All.Select(a => a.Type).Order(), Examples.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(ActionTypes))]
    public void The_form_has_one_input_per_setting_with_its_label_and_kind(string type)
    {
        var action = Catalog.Find(type)!;

        var cut = RenderPanel(Node(type, "{}"));

        var fields = cut.FindAll("[data-test=setting]");
        Assert.Equal(action.Settings.Select(s => (s.Name, s.Kind.ToString())), fields.Select(f => (f.GetAttribute("data-setting")!, f.GetAttribute("data-kind")!)));
        foreach (var (setting, field) in action.Settings.Zip(fields))
        {
            Assert.Contains(setting.Label, field.TextContent);
            var input = setting.Kind switch
            {
                SettingKind.Text or SettingKind.Expression or SettingKind.Duration or SettingKind.Number or SettingKind.Integer => "input[data-test=input-" + setting.Name + "]",
                SettingKind.Template or SettingKind.Json => "textarea[data-test=input-" + setting.Name + "]",
                SettingKind.Boolean => "input[type=checkbox]",
                SettingKind.Choice => ".mud-select",
                SettingKind.Script => "[data-test=script-setting]",
                SettingKind.FieldMap => "[data-test=fieldmap-setting]",
                _ => setting.Fields is null ? "[data-test=textlist-setting]" : "[data-test=list-setting]",
            };
            Assert.NotNull(field.QuerySelector(input));
        }

        Assert.Equal(type, cut.Find("[data-test=node-type]").TextContent);
        Assert.Equal(action.Description, cut.Find("[data-test=node-description]").TextContent);
        Assert.Contains("n1", cut.Find("[data-test=node-id]").TextContent);
    }

    [Theory]
    [MemberData(nameof(ActionTypes))]
    public async Task An_edit_gives_settings_the_action_compiles_with_the_new_value(string type)
    {
        var (settings, edit, expected) = Examples[type];
        Assert.Empty(Compiler.CheckSettings(Node(type, settings)));
        var cut = RenderPanel(Node(type, settings));

        await edit(new Form(cut, Render<MudPopoverProvider>(), Clock, JSInterop));

        cut.WaitForAssertion(() => Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), Last.Settings), Last.Settings.ToJsonString()), Patience);
        Assert.All(_changes, c => Assert.Equal("n1", c.NodeId));
        Assert.Empty(Compiler.CheckSettings(Node(type, Last.Settings.ToJsonString())));
        Assert.Empty(Compiler.CheckSettings(new WorkflowNode("n1", type, null, Last.Settings, 0, 0))); // as handed out, before any save
        Clock.Advance(Debouncer.Typing);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-test=setting-error]")), Patience);
    }

    [Theory]
    [MemberData(nameof(ActionTypes))]
    public void Every_default_a_form_shows_is_a_value_the_action_accepts(string type)
    {
        var settings = JsonNode.Parse(Examples[type].Settings)!.AsObject();
        foreach (var setting in Catalog.Find(type)!.Settings.Where(s => s.Default is not null)) settings[setting.Name] = setting.Default!.DeepClone();

        Assert.Empty(Compiler.CheckSettings(Node(type, settings.ToJsonString())));
    }

    [Fact]
    public void Defaults_show_in_the_form_but_are_not_written_until_changed()
    {
        var cut = RenderPanel(Node("Anomaly", """{"field":"temp"}"""));

        Assert.Equal("Ewma", cut.Find("[data-setting=method] input").GetAttribute("value"));
        Assert.Equal("0.1", cut.Find("input[data-test=input-alpha]").GetAttribute("value"));
        Assert.Equal("50", cut.Find("input[data-test=input-window]").GetAttribute("value"));
        Assert.Empty(_changes);
    }

    [Fact]
    public void A_new_script_node_gets_the_skeleton_the_editor_shows()
    {
        RenderPanel(Node("Script", "{}"));

        var change = Assert.Single(_changes);
        Assert.Equal("script", change.Setting);
        Assert.StartsWith("function process(item, device, message)", change.Settings["script"]!.GetValue<string>());
        Assert.Empty(Compiler.CheckSettings(new WorkflowNode("n1", "Script", null, change.Settings, 0, 0)));
    }

    [Fact]
    public void An_invalid_expression_shows_its_parse_error_under_it_once_typing_pauses()
    {
        var cut = RenderPanel(Node("Filter", """{"condition":"temp > 30"}"""));
        Assert.Empty(cut.FindAll("[data-test=setting-error]"));

        cut.Find("input[data-test=input-condition]").Input("temp > (30");

        Assert.Equal("temp > (30", Last.Settings["condition"]!.GetValue<string>()); // sent at once, checked later
        Assert.Empty(cut.FindAll("[data-test=setting-error]"));
        Clock.Advance(Debouncer.Typing);
        var error = cut.WaitForElement("[data-setting=condition] [data-test=setting-error]", Patience);
        Assert.Equal(Services.GetRequiredService<IWorkflowExpressions>().Compile("temp > (30").Error, error.TextContent);
        Assert.Single(cut.FindAll("[data-test=setting-error]")); // the node's check says the same: said once
    }

    [Fact]
    public void A_node_opened_with_an_invalid_expression_or_template_shows_the_errors_at_once()
    {
        var cut = RenderPanel(Node("RaiseAlert", """{"alertType":"Hot","value":"temp +","message":"{{ temp "}"""));

        Assert.NotEmpty(cut.FindAll("[data-setting=value] [data-test=setting-error]"));
        Assert.Contains("Not a valid template", cut.Find("[data-setting=message] [data-test=setting-error]").TextContent);
    }

    [Fact]
    public void A_missing_required_setting_says_it_is_required_at_once()
    {
        var filter = RenderPanel(Node("Filter", "{}"));
        var telemetry = RenderPanel(Node("SaveTelemetry", "{}"));
        var sw = RenderPanel(Node("Switch", "{}"));
        var threshold = RenderPanel(Node("Threshold", """{"field":"temp"}"""));

        Assert.Equal("Condition is required.", filter.Find("[data-setting=condition] [data-test=setting-error]").TextContent);
        Assert.Equal("Fields is required.", telemetry.Find("[data-setting=fields] [data-test=setting-error]").TextContent);
        Assert.Equal("Cases is required.", sw.Find("[data-setting=cases] [data-test=setting-error]").TextContent);
        Assert.Equal("Threshold is required.", threshold.Find("[data-setting=threshold] [data-test=setting-error]").TextContent);
        Assert.Empty(threshold.FindAll("[data-setting=field] [data-test=setting-error]"));
    }

    [Fact]
    public void Emptying_a_required_field_removes_the_setting_and_says_it_is_required()
    {
        var cut = RenderPanel(Node("ClearAlert", """{"alertType":"Hot"}"""));

        cut.Find("input[data-test=input-alertType]").Input("");

        Assert.False(Last.Settings.ContainsKey("alertType"));
        Assert.Equal("Alert type is required.", cut.Find("[data-setting=alertType] [data-test=setting-error]").TextContent);
    }

    [Fact]
    public void What_the_action_refuses_beyond_parsing_shows_beside_the_setting_after_the_node_is_checked()
    {
        var cut = RenderPanel(Node("Anomaly", """{"field":"temp"}"""));

        cut.Find("input[data-test=input-alpha]").Input("7");
        Clock.Advance(Debouncer.Typing);

        cut.WaitForAssertion(() => Assert.Equal("Between 0.0001 and 1.", cut.Find("[data-setting=alpha] [data-test=setting-error]").TextContent), Patience);
    }

    [Fact]
    public void A_wrong_row_of_a_map_shows_its_problem_on_that_row()
    {
        var cut = RenderPanel(Node("SetAttribute", """{"attributes":{"ok":"temp","bad key":"1","later":"temp *"}}"""));

        var rows = cut.FindAll("[data-setting=attributes] [data-test=map-row]");
        Assert.Equal(3, rows.Count);
        Assert.Empty(rows[0].QuerySelectorAll("[data-test=setting-error]"));
        Assert.NotEmpty(rows[1].QuerySelectorAll("[data-test=setting-error]")); // the attribute rules refuse the key
        Assert.NotEmpty(rows[2].QuerySelectorAll("[data-test=setting-error]")); // the expression does not parse
    }

    [Fact]
    public void A_case_with_a_taken_name_shows_the_problem_on_its_row()
    {
        var cut = RenderPanel(Node("Switch", """{"cases":[{"name":"hot","condition":"temp > 30"},{"name":"default","condition":"true"}]}"""));

        var rows = cut.FindAll("[data-setting=cases] [data-test=list-row]");
        Assert.Equal(2, rows.Count);
        Assert.Contains("The case name default is taken", cut.Find("[data-setting=cases] [data-test=setting-error]").TextContent);
    }

    [Fact]
    public async Task A_row_removed_from_a_map_leaves_the_settings()
    {
        var cut = RenderPanel(Node("Transform", """{"set":{"a":"1","b":"2"}}"""));

        await cut.InvokeAsync(() => cut.FindAll("[data-setting=set] [data-test=remove-row]")[0].Click());

        Assert.Equal(["b"], Last.Settings["set"]!.AsObject().Select(p => p.Key));
        Assert.Equal("set", Last.Setting);
    }

    [Fact]
    public async Task An_unfinished_row_stays_in_the_form_while_the_others_are_written()
    {
        var cut = RenderPanel(Node("SaveTelemetry", """{"fields":{"a":"1"}}"""));
        await cut.InvokeAsync(() => cut.Find("[data-test=add-fields]").Click());
        await cut.InvokeAsync(() => cut.Find("[data-test=add-fields]").Click());
        var rows = cut.FindAll("[data-setting=fields] [data-test=map-row]");
        await cut.InvokeAsync(() => rows[2].QuerySelector("[data-test=map-key]")!.Input("c"));

        await cut.InvokeAsync(() => cut.FindAll("[data-setting=fields] [data-test=map-row]")[0].QuerySelector("[data-test=map-value]")!.Input("2"));
        cut.Render(p => p.Add(x => x.Node, new WorkflowNode("n1", "SaveTelemetry", null, Last.Settings, 0, 0))); // the canvas hands it back

        Assert.Equal(3, cut.FindAll("[data-setting=fields] [data-test=map-row]").Count);
        Assert.Equal("""{"fields":{"a":"2"}}""", Last.Settings.ToJsonString());
        Assert.Equal("Expression is needed.", cut.FindAll("[data-setting=fields] [data-test=map-row]")[2].QuerySelector("[data-test=setting-error]")!.TextContent);
    }

    [Fact]
    public void A_duration_that_does_not_parse_says_what_it_accepts()
    {
        var cut = RenderPanel(Node("Delay", """{"duration":"5s"}"""));

        cut.Find("input[data-test=input-duration]").Input("5 minutes");
        Clock.Advance(Debouncer.Typing);

        cut.WaitForAssertion(() => Assert.StartsWith("Not a duration", cut.Find("[data-setting=duration] [data-test=setting-error]").TextContent), Patience);
    }

    [Fact]
    public void Problems_of_the_last_validation_show_at_the_top_and_beside_their_setting()
    {
        WorkflowProblem[] problems =
        [
            new("n1", "condition", "Checked by the server."), new("n1", "links", "Nothing leads to this node."), new("other", null, "Not this node."),
        ];

        var cut = RenderPanel(Node("Filter", """{"condition":"temp > 30"}"""), problems);

        Assert.Equal(["Condition: Checked by the server.", "Links: Nothing leads to this node."], cut.FindAll("[data-test=node-problem]").Select(p => p.TextContent));
        Assert.Equal("Checked by the server.", cut.Find("[data-setting=condition] [data-test=setting-error]").TextContent);
    }

    [Fact]
    public void Read_only_every_input_is_read_only_and_nothing_can_be_added_or_removed()
    {
        JSInterop.SetupVoid("iotroutesCodeEditor.ready").SetException(new JSException("no editor in this test"));
        foreach (var (type, settings) in new[]
                 {
                     ("Switch", """{"cases":[{"name":"hot","condition":"temp > 30"}],"all":true}"""),
                     ("Transform", """{"set":{"a":"1"},"remove":["b"]}"""), ("Anomaly", """{"field":"temp"}"""), ("Script", """{"script":"x"}"""),
                 })
        {
            var cut = RenderPanel(Node(type, settings), readOnly: true);

            Assert.NotNull(cut.Find("[data-test=read-only]"));
            var inputs = cut.FindAll("input, textarea");
            Assert.NotEmpty(inputs);
            Assert.All(inputs, i => Assert.True(i.HasAttribute("readonly") || i.HasAttribute("disabled"), $"{type}: {i.OuterHtml}"));
            Assert.Empty(cut.FindAll("[data-test=remove-row], [data-test^=add-], .mud-chip-close-button"));
        }

        Assert.Empty(_changes);
    }

    [Fact]
    public void The_name_is_edited_with_the_settings_unchanged()
    {
        var cut = RenderPanel(Node("Filter", """{"condition":"temp > 30"}"""));

        cut.Find("input[data-test=node-name]").Input("Hot?");

        Assert.Equal(("Hot?", null), (Last.Name, Last.Setting));
        Assert.Equal("temp > 30", Last.Settings["condition"]!.GetValue<string>());
    }

    [Fact]
    public void Settings_changed_on_the_canvas_an_undo_show_at_once_and_the_node_given_is_never_changed()
    {
        var node = Node("Filter", """{"condition":"temp > 30"}""");
        var cut = RenderPanel(node);
        cut.Find("input[data-test=input-condition]").Input("temp > 40");

        cut.Render(p => p.Add(x => x.Node, Node("Filter", """{"condition":"temp > 20"}""")));

        Assert.Equal("temp > 20", cut.Find("input[data-test=input-condition]").GetAttribute("value"));
        Assert.Equal(["condition:temp > 30"], node.Settings.Select(p => $"{p.Key}:{p.Value!.GetValue<string>()}"));
    }

    [Fact]
    public void Another_node_selected_gets_its_own_form()
    {
        var cut = RenderPanel(Node("Filter", """{"condition":"temp > 30"}"""));

        cut.Render(p => p.Add(x => x.Node, new WorkflowNode("n2", "Delay", "Wait", JsonNode.Parse("""{"duration":"5s"}""")!.AsObject(), 0, 0)));

        Assert.Equal(["duration"], cut.FindAll("[data-test=setting]").Select(s => s.GetAttribute("data-setting")));
        Assert.Equal("Wait", cut.Find("input[data-test=node-name]").GetAttribute("value"));
        cut.Find("input[data-test=input-duration]").Input("1s");
        Assert.Equal(("n2", "Wait"), (Last.NodeId, Last.Name));
    }

    [Fact]
    public void A_node_of_an_unknown_type_says_so_and_shows_its_settings()
    {
        var cut = RenderPanel(Node("Teleport", """{"to":"Mars"}"""));

        Assert.Contains("Unknown node type Teleport", cut.Find("[data-test=unknown-type]").TextContent);
        Assert.Contains("Mars", cut.Markup);
    }

    [Fact]
    public void A_script_shows_the_node_s_compile_error_under_the_editor()
    {
        var cut = RenderPanel(Node("Script", """{"script":"function run(item) { return item; }"}"""));

        Assert.Contains("no process(item, device, message) function", cut.Find("[data-setting=script] [data-test=setting-error]").TextContent);
        Assert.NotNull(cut.FindComponent<StandaloneCodeEditor>());
    }

    [Fact]
    public void Without_the_code_editor_a_script_is_edited_as_plain_text()
    {
        JSInterop.SetupVoid("iotroutesCodeEditor.ready").SetException(new JSException("blocked"));
        var cut = RenderPanel(Node("Script", """{"script":"function process(item) { return item; }"}"""));

        cut.WaitForElement("textarea[data-test=input-script]", Patience).Input("function process(item) { return null; }");

        Assert.Equal("function process(item) { return null; }", Last.Settings["script"]!.GetValue<string>());
        Assert.Contains("could not load", cut.Markup);
    }

    [Fact]
    public async Task Json_settings_are_written_once_they_parse_and_say_why_not_meanwhile()
    {
        // No real action has a Json setting yet: a catalog with one that has.
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton<TimeProvider>(Clock);
        context.Services.AddSingleton(Services.GetRequiredService<IWorkflowExpressions>());
        context.Services.AddSingleton(Services.GetRequiredService<IWorkflowTemplates>());
        var catalog = new ActionCatalog([new JsonBodyAction()]);
        var compiler = new WorkflowCompiler(catalog, Services.GetRequiredService<WorkflowLanguages>(), Services);
        context.Services.AddSingleton(catalog);
        context.Services.AddSingleton(compiler);
        var cut = context.Render<NodeSettingsPanel>(p => p.Add(x => x.Node, Node("JsonBody", """{"body":{"a":1}}""")).Add(x => x.OnChange, c => _changes.Add(c)));

        cut.Find("textarea[data-test=input-body]").Input("""{"a": 2,""");
        Clock.Advance(Debouncer.Typing);

        cut.WaitForAssertion(() => Assert.StartsWith("Not valid JSON", cut.Find("[data-setting=body] [data-test=setting-error]").TextContent), Patience);
        Assert.Empty(_changes);
        cut.Find("textarea[data-test=input-body]").Input("""{"a": 2, "b": [true]}""");
        // Written from the panel's handler, which may finish on another thread than the test's (as under a full run's load).
        cut.WaitForAssertion(() => Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"body":{"a":2,"b":[true]}}"""), Last.Settings)), Patience);
        Assert.Empty(compiler.CheckSettings(new WorkflowNode("n1", "JsonBody", null, Last.Settings, 0, 0)));
    }

    private IRenderedComponent<NodeSettingsPanel> RenderPanel(WorkflowNode node, IReadOnlyList<WorkflowProblem>? problems = null, bool readOnly = false) =>
        Render<NodeSettingsPanel>(p => p.Add(x => x.Node, node).Add(x => x.Problems, problems ?? []).Add(x => x.ReadOnly, readOnly)
            .Add(x => x.OnChange, c => _changes.Add(c)));

    private static WorkflowNode Node(string type, string settings) => new("n1", type, null, JsonNode.Parse(settings)!.AsObject(), 0, 0);

    /// <summary>The form as a user works it: typing, choosing, toggling, adding rows and chips.</summary>
    public sealed class Form(IRenderedComponent<NodeSettingsPanel> cut, IRenderedComponent<MudPopoverProvider> popovers, Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, BunitJSInterop js)
    {
        public Task TypeAsync(string setting, string text) => cut.InvokeAsync(() => cut.Find($"[data-setting={setting}] [data-test=input-{setting}]").Input(text));

        public async Task SelectAsync(string setting, string choice)
        {
            await cut.InvokeAsync(() => cut.Find($"[data-setting={setting}] [data-test=input-{setting}]").Closest(".mud-select")!.MouseDown());
            popovers.WaitForAssertion(() => Assert.Contains(choice, popovers.Markup));
            await popovers.InvokeAsync(() => popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == choice).Click());
        }

        public Task ToggleAsync(string setting) => cut.InvokeAsync(() => cut.Find($"[data-setting={setting}] input[type=checkbox]").Change(true));

        public async Task AddChipAsync(string setting, string text)
        {
            await cut.InvokeAsync(() => cut.Find($"input[data-test=input-{setting}]").Input(text));
            await cut.InvokeAsync(() => cut.Find($"input[data-test=input-{setting}]").KeyDown(Key.Enter));
        }

        /// <summary>Adds a row to a map or list, then types in its inputs (by their data-test) in order.</summary>
        public async Task AddRowAsync(string setting, params (string Input, string Text)[] cells)
        {
            await cut.InvokeAsync(() => cut.Find($"[data-test=add-{setting}]").Click());
            var row = cut.FindAll($"[data-setting={setting}] :is([data-test=map-row], [data-test=list-row])").Count - 1;
            foreach (var (input, text) in cells) await TypeInRowAsync(setting, row, input, text);
        }

        public Task TypeInRowAsync(string setting, int row, string input, string text) =>
            cut.InvokeAsync(() => cut.FindAll($"[data-setting={setting}] :is([data-test=map-row], [data-test=list-row])")[row].QuerySelector($"[data-test={input}]")!.Input(text));

        /// <summary>Types in the code editor: what Monaco would then answer when asked for its text.</summary>
        public async Task TypeScriptAsync(string script)
        {
            js.Setup<string>("blazorMonaco.editor.getValue", _ => true).SetResult(script);
            var editor = cut.FindComponent<StandaloneCodeEditor>();
            await cut.InvokeAsync(() => editor.Instance.OnDidChangeModelContent.InvokeAsync(new ModelContentChangedEvent()));
            clock.Advance(TimeSpan.FromMilliseconds(400));
        }
    }

    /// <summary>An action with a Json setting (none of the real ones has one yet): an object is required.</summary>
    private sealed class JsonBodyAction : IoTRoutes.Core.Workflows.Actions.WorkflowAction
    {
        public override string Type => "JsonBody";
        public override string Category => "Integration";
        public override string Description => "Sends a body.";
        public override IReadOnlyList<SettingDescriptor> Settings { get; } = [new("body", SettingKind.Json, "Body", Required: true)];

        public override NodeRunner? Compile(NodeCompilation node)
        {
            if (node.Settings["body"] is not JsonObject) node.Problem("body", "An object is expected.");
            return node.Problems.Count > 0 ? null : new Pass();
        }

        private sealed class Pass : NodeRunner
        {
            public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call) => new(NodeResult.Out(input));
        }
    }
}
