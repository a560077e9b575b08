using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using Microsoft.AspNetCore.Components;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>
/// The settings form of one node, built from its action's descriptors. It follows <see cref="Node"/>: give it the node
/// with the settings <see cref="OnChange"/> handed out (or others: an undo shows at once). The node's settings are checked
/// as publishing checks them when it is selected and 300 ms after each edit; those problems show beside their settings,
/// with the ones of the last validation (<see cref="Problems"/>), which are also listed at the top.
/// </summary>
public sealed partial class NodeSettingsPanel
{
    private IWorkflowAction? _action;
    private string? _nodeId;
    private string? _type;
    private WorkflowNode? _shown;
    private JsonObject _settings = [];
    private string? _name;
    private IReadOnlyList<WorkflowProblem> _checked = [];
    private Debouncer? _check;
    private bool _fillDefaults;

    [Inject] private ActionCatalog Catalog { get; set; } = null!;

    [Inject] private WorkflowCompiler Compiler { get; set; } = null!;

    [Inject] private TimeProvider Clock { get; set; } = null!;

    /// <summary>The node selected: id, type, name, settings. Never changed by the panel.</summary>
    [Parameter, EditorRequired] public WorkflowNode Node { get; set; } = null!;

    /// <summary>The problems the last validation reported; those of other nodes are ignored. None by default.</summary>
    [Parameter] public IReadOnlyList<WorkflowProblem> Problems { get; set; } = [];

    /// <summary>A published version is being viewed: every input is read only. False by default.</summary>
    [Parameter] public bool ReadOnly { get; set; }

    /// <summary>
    /// Raised on every edit (each key typed: the canvas coalesces consecutive changes of one setting) with the node's name
    /// and whole new settings, as numbers, texts and objects read back from JSON.
    /// </summary>
    [Parameter] public EventCallback<NodeSettingsChange> OnChange { get; set; }

    /// <summary>Field names the node's items are known to have, listed in the hints of expressions. None by default.</summary>
    [Parameter] public IReadOnlyList<string> FieldNames { get; set; } = [];

    private IReadOnlyList<WorkflowProblem> Passed => [.. Problems.Where(p => p.NodeId == Node.Id)];

    protected override void OnParametersSet()
    {
        if (Node.Id != _nodeId || Node.Type != _type)
        {
            _nodeId = Node.Id;
            _type = Node.Type;
            _action = Catalog.Find(Node.Type);
            Adopt();
            _fillDefaults = !ReadOnly;
        }
        else if (!ReferenceEquals(Node, _shown) && (Node.Name != _name || !JsonNode.DeepEquals(Node.Settings, _settings)))
        {
            Adopt(); // changed on the canvas (an undo)
        }

        _shown = Node;
    }

    private void Adopt()
    {
        _settings = Node.Settings;
        _name = Node.Name;
        _check?.Cancel();
        _checked = CheckNow();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_fillDefaults) return;
        _fillDefaults = false;
        // A required setting with a default (Script's skeleton) is what a new node starts with: the form shows it, so the
        // node gets it too, otherwise it would fail as "required" under code that looks set.
        var missing = _action?.Settings.Where(s => s.Required && s.Default is not null && _settings[s.Name] is null).ToList() ?? [];
        if (missing.Count == 0) return;
        var settings = (JsonObject)_settings.DeepClone();
        foreach (var setting in missing) settings[setting.Name] = setting.Default!.DeepClone();
        await ChangedAsync(settings, missing[0].Name);
        StateHasChanged();
    }

    private Task SettingChangedAsync(SettingDescriptor setting, JsonNode? value)
    {
        if (ReadOnly) return Task.CompletedTask;
        var settings = (JsonObject)_settings.DeepClone();
        if (value is null) settings.Remove(setting.Name);
        else settings[setting.Name] = value.DeepClone();
        return ChangedAsync(settings, setting.Name);
    }

    private Task NameChangedAsync(string? name)
    {
        if (ReadOnly) return Task.CompletedTask;
        _name = string.IsNullOrWhiteSpace(name) ? null : name;
        return OnChange.InvokeAsync(new NodeSettingsChange(Node.Id, _name, (JsonObject)_settings.DeepClone(), null));
    }

    private async Task ChangedAsync(JsonObject settings, string setting)
    {
        // Read back from JSON, as the stored draft is: a number written as an int would not read as a double in memory.
        _settings = JsonNode.Parse(settings.ToJsonString())!.AsObject();
        await OnChange.InvokeAsync(new NodeSettingsChange(Node.Id, _name, (JsonObject)_settings.DeepClone(), setting));
        _check ??= new Debouncer(Clock, Debouncer.Typing);
        _ = _check.RunAsync(() => InvokeAsync(() =>
        {
            _checked = CheckNow();
            StateHasChanged();
        }));
    }

    private IReadOnlyList<WorkflowProblem> CheckNow() =>
        _action is null ? [] : Compiler.CheckSettings(new WorkflowNode(Node.Id, Node.Type, _name, _settings, Node.X, Node.Y));

    private IReadOnlyList<SettingProblem> ProblemsOf(string setting) =>
        [.. _checked.Concat(Passed).Select(p => SettingProblem.Of(p, setting)).OfType<SettingProblem>().Distinct()];

    /// <summary>Where a problem is, as the form names it: the setting's label (and entry), links, or nothing for the node.</summary>
    private string? PlaceOf(WorkflowProblem problem)
    {
        if (problem.Setting is null) return null;
        if (problem.Setting == "links") return "Links";
        foreach (var setting in _action?.Settings ?? [])
        {
            if (SettingProblem.Of(problem, setting.Name) is not { } at) continue;
            return at.Key is { } key ? $"{setting.Label} {key}" : at.Row is { } row ? $"{setting.Label} {row + 1}" : setting.Label;
        }

        return problem.Setting;
    }

    public void Dispose() => _check?.Dispose();
}
