using System.Text.Json.Nodes;
using Blazor.Diagrams;
using Blazor.Diagrams.Core.Behaviors;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;
using Blazor.Diagrams.Core.PathGenerators;
using Blazor.Diagrams.Core.Routers;
using Blazor.Diagrams.Options;
using IoTRoutes.Core;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>
/// The workflow designer: a Z.Blazor.Diagrams canvas over the draft. The draft (<see cref="WorkflowGraph"/>) is the one
/// truth: every edit makes a new one (<see cref="WorkflowEdits"/>, the clipboard's paste), which is recorded in the undo
/// history, drawn by difference (<see cref="DiagramSync"/>), validated and saved a moment later. What the diagram does by
/// itself (dragging nodes, drawing a link) is taken from it once, at the end of the gesture, and recorded the same way.
/// </summary>
public sealed partial class WorkflowDesigner : IAsyncDisposable
{
    private static readonly TimeSpan SaveAfter = TimeSpan.FromMilliseconds(800);

    private BlazorDiagram _diagram = null!;
    private DiagramSync _sync = null!;
    private WorkflowEditHistory? _history;
    private WorkflowGraph _graph = WorkflowGraph.Empty;
    private string _baseJson = WorkflowGraph.Empty.ToJson(); // the last saved draft: the base of a merge
    private IReadOnlyList<WorkflowProblem> _problems = [];
    private int _revision;
    private string? _dragType;
    private string? _find;
    private MudTextField<string>? _findField;
    private ElementReference _canvasWrap;
    private StaleDraft? _stale;
    private CancellationTokenSource? _pendingSave;
    private bool _saving;
    private string? _saveError;
    private IJSObjectReference? _keys;
    private DotNetObjectReference<WorkflowDesigner>? _self;
    private bool _ready; // interactive: drops, keys and links are handled from now on

    [Inject] private ActionCatalog Catalog { get; set; } = null!;
    [Inject] private WorkflowService Workflows { get; set; } = null!;
    [Inject] private WorkflowClipboard Clipboard { get; set; } = null!;
    [Inject] private DesignerClipboard Copied { get; set; } = null!;
    [Inject] private TimeProvider Clock { get; set; } = null!;
    [Inject] private IJSRuntime JS { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    /// <summary>The workflow whose draft is edited.</summary>
    [Parameter, EditorRequired] public WorkflowDto Workflow { get; set; } = null!;

    /// <summary>False for a user who may only look (no Workflows Manage): nothing can be changed.</summary>
    [Parameter] public bool CanEdit { get; set; }

    /// <summary>After each save, with the new revision.</summary>
    [Parameter] public EventCallback<int> OnSaved { get; set; }

    /// <summary>The draft as shown, saved or not.</summary>
    public WorkflowGraph Graph => _graph;

    public bool HasUnsavedChanges => _history?.HasUnsavedChanges == true;

    /// <summary>The node selected alone; none when nothing or several are selected (Ctrl+A, an area).</summary>
    private string? SelectedId => _diagram.GetSelectedModels().OfType<WorkflowNodeModel>().Take(2).ToList() is [var one] ? one.Id : null;

    private WorkflowNode? SelectedNode => SelectedId is { } id ? _graph.Nodes.FirstOrDefault(n => n.Id == id) : null;

    private string SaveStatus => _saveError is not null ? $"Not saved: {_saveError}"
        : _saving ? "Saving…"
        : HasUnsavedChanges ? "Unsaved changes"
        : $"Saved · revision {_revision}";

    protected override void OnInitialized()
    {
        var options = new BlazorDiagramOptions
        {
            GridSize = 20,
            AllowMultiSelection = true,
            Zoom = { Minimum = 0.2, Maximum = 2 },
            Links =
            {
                DefaultRouter = new NormalRouter(),
                DefaultPathGenerator = new SmoothPathGenerator(),
                RequireTarget = true,
                EnableSnapping = true,
                SnappingRadius = 30,
                Factory = (_, source, target) => source is WorkflowPortModel { IsInput: false } port && CanEdit
                    ? DiagramSync.Style(new LinkModel(new Blazor.Diagrams.Core.Anchors.SinglePortAnchor(port), target))
                    : null,
            },
            Virtualization = { Enabled = true, OnNodes = true, OnLinks = true },
        };
        _diagram = new BlazorDiagram(options);
        // Keys are handled here (over the definition), not by the diagram's own shortcuts (over its models).
        _diagram.UnregisterBehavior<KeyboardShortcutsBehavior>();
        _diagram.RegisterComponent<WorkflowNodeModel, NodeWidget>();
        _sync = new DiagramSync(_diagram, Catalog) { ReadOnly = !CanEdit };
        _diagram.PointerUp += (_, _) => InvokeAsync(RecordMovesAsync);
        _diagram.Links.Added += link => link.TargetAttached += attached => InvokeAsync(() => RecordLinkAsync(attached));
        _diagram.SelectionChanged += _ => InvokeAsync(StateHasChanged);
        Load(Workflow);
    }

    protected override void OnParametersSet()
    {
        // The page read the workflow again (a publish, a restore): take its draft when nothing here is unsaved.
        if (Workflow.Revision != _revision && !HasUnsavedChanges && _stale is null) Load(Workflow);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        _self = DotNetObjectReference.Create(this);
        _keys = await JS.InvokeAsync<IJSObjectReference>("import", "./js/designer.js");
        await _keys.InvokeVoidAsync("captureKeys", _canvasWrap, _self);
        if (_graph.Nodes.Count > 0) ShowStart();
        _ready = true;
        StateHasChanged();
        if (TraceMessageId is { } messageId) await ShowMessagePathAsync(messageId);
        _ = CountAsync();
    }

    /// <summary>The whole workflow in view when it fits at a readable size; otherwise its trigger at the top left, at half size.</summary>
    private void ShowStart()
    {
        const double readable = 0.5;
        _diagram.ZoomToFit(40);
        if (_diagram.Zoom >= readable) return;
        _diagram.SetZoom(readable);
        var trigger = _graph.Nodes[0];
        _diagram.SetPan(40 - trigger.X * readable, 40 - trigger.Y * readable);
    }

    private void Load(WorkflowDto workflow)
    {
        _graph = WorkflowGraph.Read(workflow.Definition).Graph ?? WorkflowGraph.Empty;
        _baseJson = _graph.ToJson();
        _revision = workflow.Revision;
        _history = new WorkflowEditHistory(_baseJson, Clock);
        _problems = workflow.Problems; // the saved draft's, compiled when it was read
        _stale = null;
        _sync.Show(_graph, _problems);
    }

    /// <summary>Makes <paramref name="next"/> the draft: recorded for undo, drawn, validated, saved shortly.</summary>
    private async Task EditAsync(WorkflowGraph next, string description, string? coalesceKey = null)
    {
        if (!CanEdit) return;
        if (!_history!.Record(next, description, coalesceKey)) return;
        Show(next);
        await ScheduleSaveAsync();
    }

    private void Show(WorkflowGraph graph)
    {
        _graph = graph;
        _problems = Workflows.Problems(graph);
        _sync.Show(graph, _problems);
        StateHasChanged();
    }

    private async Task RecordMovesAsync()
    {
        if (_sync.Syncing) return;
        var moved = _diagram.Nodes.OfType<WorkflowNodeModel>()
            .Where(n => Math.Round(n.Position.X) != n.Node.X || Math.Round(n.Position.Y) != n.Node.Y)
            .ToDictionary(n => n.Id, n => (n.Position.X, n.Position.Y), StringComparer.Ordinal);
        if (moved.Count == 0) return;
        if (!CanEdit)
        {
            _sync.Show(_graph, _problems); // back where the definition has them
            return;
        }

        var names = moved.Count == 1 ? Label(moved.Keys.First()) : $"{moved.Count} nodes";
        await EditAsync(WorkflowEdits.Move(_graph, moved), $"move {names}", $"move:{string.Join(',', moved.Keys.Order())}");
    }

    private async Task RecordLinkAsync(BaseLinkModel drawn)
    {
        if (_sync.Syncing) return;
        var link = DiagramSync.AsWorkflowLink(drawn);
        var next = link is null ? null : WorkflowEdits.AddLink(_graph, link);
        if (next is null)
        {
            _diagram.Links.Remove(drawn);
            if (link is not null) Snackbar.Add($"{Label(link.From)} ({link.FromPort}) already goes to {Label(link.To)}.", Severity.Info);
            return;
        }

        await EditAsync(next, $"link {Label(link!.From)} → {Label(link.To)}");
    }

    private async Task AddNodeAsync(string type, (double X, double Y)? at)
    {
        if (!CanEdit || Catalog.Find(type) is not { } action) return;
        if (action.Kind == ActionKind.Trigger && _graph.Nodes.FirstOrDefault(n => Catalog.Find(n.Type)?.Kind == ActionKind.Trigger) is { } trigger)
        {
            Snackbar.Add($"A workflow has one trigger and this one starts with {trigger.Type}: delete it first to start with {type}.", Severity.Warning);
            return;
        }

        var position = at ?? CenterOfView();
        var settings = new JsonObject();
        foreach (var setting in action.Settings.Where(s => s.Default is not null)) settings[setting.Name] = setting.Default!.DeepClone();
        var paste = Clipboard.Paste(_graph, WorkflowEdits.NewNodeFragment(type, settings, position.X, position.Y), 0, 0);
        if (paste.Definition is null)
        {
            Snackbar.Add(string.Join(" ", paste.Errors), Severity.Warning);
            return;
        }

        var added = paste.NodeIds[0];
        var next = at is { } point ? SpliceIntoLinkAt(paste.Definition, added, point) : paste.Definition;
        await EditAsync(next, $"add {type}");
        Select([added]);
    }

    /// <summary>A node dropped on a link goes in between: from → node → to, by the node's first output.</summary>
    private WorkflowGraph SpliceIntoLinkAt(WorkflowGraph graph, string nodeId, (double X, double Y) at)
    {
        var node = graph.Nodes.First(n => n.Id == nodeId);
        if (Catalog.Find(node.Type)?.Kind == ActionKind.Trigger) return graph;
        var centre = (X: at.X + NodeLayout.Width / 2, Y: at.Y + NodeLayout.Header / 2);
        var hit = _diagram.Links.OfType<LinkModel>().Select(l => (Link: DiagramSync.AsWorkflowLink(l), Model: l))
            .Where(l => l.Link is not null && l.Link.From != nodeId && l.Link.To != nodeId)
            .Select(l => (l.Link, Distance: DistanceToSegment(centre, l.Model)))
            .Where(l => l.Distance < 40).OrderBy(l => l.Distance).FirstOrDefault();
        if (hit.Link is not { } split) return graph;
        var output = _sync.OutputsOf(node)[0];
        var without = WorkflowEdits.Remove(graph, [], [split]);
        var first = WorkflowEdits.AddLink(without, split with { To = nodeId, ToPort = WorkflowPorts.In }) ?? without;
        return WorkflowEdits.AddLink(first, new WorkflowLink(nodeId, split.To) { FromPort = output, ToPort = split.ToPort }) ?? first;
    }

    private static double DistanceToSegment((double X, double Y) p, LinkModel link)
    {
        if (link.Source is not Blazor.Diagrams.Core.Anchors.SinglePortAnchor { Port: var a } || link.Target is not Blazor.Diagrams.Core.Anchors.SinglePortAnchor { Port: var b }) return double.MaxValue;
        var (ax, ay, bx, by) = (a.MiddlePosition.X, a.MiddlePosition.Y, b.MiddlePosition.X, b.MiddlePosition.Y);
        var (dx, dy) = (bx - ax, by - ay);
        var length = dx * dx + dy * dy;
        var t = length == 0 ? 0 : Math.Clamp(((p.X - ax) * dx + (p.Y - ay) * dy) / length, 0, 1);
        var (cx, cy) = (ax + t * dx, ay + t * dy);
        return Math.Sqrt((p.X - cx) * (p.X - cx) + (p.Y - cy) * (p.Y - cy));
    }

    private async Task DropAsync(DragEventArgs e)
    {
        if (_dragType is not { } type) return;
        _dragType = null;
        var point = _diagram.GetRelativeMousePoint(e.ClientX, e.ClientY);
        await AddNodeAsync(type, (point.X - NodeLayout.Width / 2, point.Y - NodeLayout.Header / 2));
    }

    private (double X, double Y) CenterOfView()
    {
        var container = _diagram.Container;
        var centre = container is null ? new Blazor.Diagrams.Core.Geometry.Point(200, 150)
            : _diagram.GetRelativePoint(container.Left + container.Width / 2, container.Top + container.Height / 2);
        var offset = _graph.Nodes.Count(n => Math.Abs(n.X - centre.X) < 20) * 30; // a second add does not hide the first
        return (centre.X - NodeLayout.Width / 2 + offset, centre.Y - NodeLayout.Header + offset);
    }

    private async Task UpdateNodeAsync(NodeSettingsChange change)
    {
        var node = _graph.Nodes.FirstOrDefault(n => n.Id == change.NodeId);
        if (node is null) return;
        var outputs = _sync.OutputsOf(node with { Settings = change.Settings });
        var what = change.Setting is null ? "name" : change.Setting;
        await EditAsync(WorkflowEdits.UpdateNode(_graph, node.Id, change.Name, change.Settings, outputs), $"change {Label(node.Id)} {what}", $"settings:{node.Id}:{what}");
    }

    private async Task DeleteSelectionAsync()
    {
        var selected = _diagram.GetSelectedModels().ToList();
        var nodes = selected.OfType<WorkflowNodeModel>().Select(n => n.Id).ToList();
        var links = selected.OfType<BaseLinkModel>().Select(DiagramSync.AsWorkflowLink).OfType<WorkflowLink>().ToList();
        if (nodes.Count == 0 && links.Count == 0) return;
        var what = nodes.Count == 1 && links.Count == 0 ? Label(nodes[0]) : $"{nodes.Count} nodes, {links.Count} links";
        await EditAsync(WorkflowEdits.Remove(_graph, nodes, links), $"delete {what}");
    }

    private async Task UndoAsync()
    {
        if (_history?.Undo() is not { } json) return;
        Show(WorkflowGraph.Parse(json));
        await ScheduleSaveAsync();
    }

    private async Task RedoAsync()
    {
        if (_history?.Redo() is not { } json) return;
        Show(WorkflowGraph.Parse(json));
        await ScheduleSaveAsync();
    }

    private async Task CopyAsync()
    {
        var ids = _diagram.GetSelectedModels().OfType<WorkflowNodeModel>().Select(n => n.Id).ToList();
        if (ids.Count == 0) return;
        Copied.Fragment = Clipboard.Copy(_graph, ids);
        // Also on the system clipboard, for another tab or a text file; the browser may refuse (not focused, not allowed).
        if (_keys is not null) await _keys.InvokeVoidAsync("writeClipboard", Copied.Fragment);
        Snackbar.Add($"{ids.Count} node(s) copied.", Severity.Info);
    }

    /// <summary>The toolbar's Paste: reads the system clipboard (the browser may ask), else this tab's copy.</summary>
    private async Task PasteAsync() => await PasteTextAsync(_keys is null ? null : await _keys.InvokeAsync<string?>("readClipboard"));

    /// <summary>Ctrl+V on the canvas: the text of the browser's own paste event (no permission asked), sent by designer.js.</summary>
    [JSInvokable]
    public Task OnPasteTextAsync(string? text) => InvokeAsync(() => CanEdit ? PasteTextAsync(text) : Task.CompletedTask);

    private async Task PasteTextAsync(string? text)
    {
        var fragment = text is not null && text.Contains(WorkflowClipboard.Format, StringComparison.Ordinal) ? text : Copied.Fragment;
        if (fragment is null)
        {
            Snackbar.Add("Nothing to paste: copy nodes first (Ctrl+C).", Severity.Info);
            return;
        }

        var paste = Clipboard.Paste(_graph, fragment, 40, 40);
        if (paste.Definition is null)
        {
            Snackbar.Add(string.Join(" ", paste.Errors), Severity.Warning);
            return;
        }

        await EditAsync(paste.Definition, $"paste {paste.NodeIds.Count} node(s)");
        Select(paste.NodeIds);
        Copied.Fragment = Clipboard.Copy(paste.Definition, paste.NodeIds); // a second paste lands beside this one
    }

    private void Select(IReadOnlyCollection<string> ids)
    {
        _diagram.UnselectAll();
        foreach (var node in _diagram.Nodes.Where(n => ids.Contains(n.Id))) _diagram.SelectModel(node, unselectOthers: false);
        StateHasChanged();
    }

    private Task SelectAsync(string? id)
    {
        if (id is null) return Task.CompletedTask;
        Select([id]);
        CenterOn(id);
        return Task.CompletedTask;
    }

    private void CenterOn(string id)
    {
        if (_diagram.Nodes.FirstOrDefault(n => n.Id == id) is not { } node || _diagram.Container is not { } container) return;
        var zoom = _diagram.Zoom;
        _diagram.SetPan(container.Width / 2 - (node.Position.X + NodeLayout.Width / 2) * zoom, container.Height / 2 - (node.Position.Y + NodeLayout.Header) * zoom);
    }

    private Task FindAsync()
    {
        if (string.IsNullOrWhiteSpace(_find)) return Task.CompletedTask;
        var found = _graph.Nodes.FirstOrDefault(n => Matches(n, _find));
        if (found is null) return Task.CompletedTask;
        return SelectAsync(found.Id);
    }

    private static bool Matches(WorkflowNode node, string text) =>
        node.Id.Contains(text, StringComparison.OrdinalIgnoreCase) || node.Type.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (node.Name?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || TextsOf(node.Settings).Any(t => t.Contains(text, StringComparison.OrdinalIgnoreCase));

    /// <summary>A setting's texts as typed (the JSON text escapes "&gt;", "°", quotes…), with the names of its map entries.</summary>
    private static IEnumerable<string> TextsOf(JsonNode? value) => value switch
    {
        JsonObject map => map.SelectMany(p => TextsOf(p.Value).Prepend(p.Key)),
        JsonArray list => list.SelectMany(TextsOf),
        JsonValue scalar when scalar.TryGetValue<string>(out var text) => [text],
        JsonValue scalar => [scalar.ToJsonString()],
        _ => [],
    };

    private string Label(string id) => _graph.Nodes.FirstOrDefault(n => n.Id == id) is { } node ? node.Name ?? node.Id : id;

    /// <summary>A key pressed on the canvas, sent by designer.js (which keeps the browser's own Ctrl+S, Ctrl+F… from it).</summary>
    [JSInvokable]
    public Task OnKeyAsync(string key, bool ctrl, bool shift) => InvokeAsync(async () =>
    {
        switch (key.ToLowerInvariant())
        {
            case "delete" or "backspace" when CanEdit: await DeleteSelectionAsync(); break;
            case "z" when ctrl && shift: await RedoAsync(); break;
            case "z" when ctrl: await UndoAsync(); break;
            case "y" when ctrl: await RedoAsync(); break;
            case "c" when ctrl: await CopyAsync(); break;
            case "a" when ctrl: Select([.. _graph.Nodes.Select(n => n.Id)]); break;
            case "s" when ctrl: await SaveNowAsync(); break;
            case "f" when ctrl && _findField is not null: await _findField.FocusAsync(); break;
            case "escape": _diagram.UnselectAll(); StateHasChanged(); break;
        }
    });

    public async ValueTask DisposeAsync()
    {
        _pendingSave?.Cancel();
        _counting?.Cancel();
        if (HasUnsavedChanges && _stale is null && CanEdit)
        {
            try
            {
                await SaveAsync(); // leaving the page saves what is pending rather than drop it
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or OperationCanceledException)
            {
                // the circuit is gone: the last autosave is what stays
            }
        }

        if (_keys is not null)
        {
            try
            {
                await _keys.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
            }
        }

        _self?.Dispose();
    }
}
