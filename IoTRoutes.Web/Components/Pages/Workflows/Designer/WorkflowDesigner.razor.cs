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

    private DesignerScope _scope = null!;

    /// <summary>The draft as shown, saved or not.</summary>
    public WorkflowGraph Graph => _graph;

    public bool HasUnsavedChanges => _history?.HasUnsavedChanges == true;

    /// <summary>The node selected alone; none when nothing or several are selected (Ctrl+A, an area).</summary>
    private string? SelectedId => _diagram.GetSelectedModels().OfType<WorkflowNodeModel>().Take(2).ToList() is [var one] ? one.Id : null;

    private WorkflowNote? SelectedNote => _diagram.GetSelectedModels().ToList() is [NoteModel only] ? _graph.Notes.FirstOrDefault(n => n.Id == only.Id) : null;

    private async Task UpdateNoteAsync(string id, string text)
    {
        if (_graph.Notes.FirstOrDefault(n => n.Id == id) is not { } note || note.Text == text) return;
        await EditAsync(WorkflowEdits.UpdateNote(_graph, id, text), "edit note", $"note:{id}");
    }

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
        _scope = new DesignerScope(Workflow.Id);
        // Keys are handled here (over the definition), not by the diagram's own shortcuts (over its models).
        _diagram.UnregisterBehavior<KeyboardShortcutsBehavior>();
        _diagram.RegisterComponent<WorkflowNodeModel, NodeWidget>();
        _diagram.RegisterComponent<NoteModel, NoteWidget>();
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
            .Select(n => (n.Id, n.Position))
            .Concat(_diagram.Nodes.OfType<NoteModel>()
                .Where(n => Math.Round(n.Position.X) != n.Note.X || Math.Round(n.Position.Y) != n.Note.Y).Select(n => (n.Id, n.Position)))
            .ToDictionary(m => m.Id, m => (m.Position.X, m.Position.Y), StringComparer.Ordinal);
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
        var nodes = selected.OfType<WorkflowNodeModel>().Select(n => n.Id).Concat(selected.OfType<NoteModel>().Select(n => n.Id)).ToList();
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
