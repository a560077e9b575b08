using IoTRoutes.Core;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Model;
using MudBlazor;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>Autosave, and what happens when someone else saved the draft meanwhile.</summary>
public sealed partial class WorkflowDesigner
{
    private async Task ScheduleSaveAsync()
    {
        _pendingSave?.Cancel();
        if (!CanEdit || _stale is not null) return;
        var pending = _pendingSave = new CancellationTokenSource();
        try
        {
            await Task.Delay(SaveAfter, Clock, pending.Token);
        }
        catch (OperationCanceledException)
        {
            return; // a later edit saves both
        }

        await InvokeAsync(SaveAsync);
    }

    public async Task SaveNowAsync()
    {
        _pendingSave?.Cancel();
        await SaveAsync();
    }

    private async Task SaveAsync()
    {
        if (!CanEdit || _saving || !HasUnsavedChanges || _stale is not null) return;
        _saving = true;
        var graph = _graph;
        try
        {
            var saved = await Workflows.UpdateAsync(Workflow.Id, new UpdateWorkflowRequest(_revision, null, null, graph, null), CancellationToken.None);
            if (saved.Stale is { } stale)
            {
                _stale = stale;
                _saveError = null;
                return;
            }

            if (saved.Change.Outcome != ChangeOutcome.Done)
            {
                _saveError = saved.Change.FirstError ?? saved.Change.Outcome.ToString();
                return;
            }

            _saveError = null;
            _revision = saved.Revision;
            _baseJson = graph.ToJson();
            if (ReferenceEquals(graph, _graph)) _history!.MarkSaved();
            await OnSaved.InvokeAsync(saved.Revision);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _saveError = e.Message;
        }
        finally
        {
            _saving = false;
            StateHasChanged();
        }

        // Edits made while this save ran go in the next one.
        if (HasUnsavedChanges && _stale is null && _saveError is null) await ScheduleSaveAsync();
    }

    /// <summary>Theirs plus my changes since the draft we both had; where we both changed a node, mine is kept and said so.</summary>
    private async Task MergeAsync()
    {
        var current = await Workflows.FindAsync(Workflow.Id, CancellationToken.None);
        if (current is null) return;
        var theirs = WorkflowGraph.Read(current.Definition).Graph ?? WorkflowGraph.Empty;
        var merged = WorkflowMerge.ThreeWay(WorkflowGraph.Parse(_baseJson), _graph, theirs);
        _stale = null;
        _revision = current.Revision;
        _baseJson = theirs.ToJson();
        _history!.Record(merged.Graph, "merge with the saved draft");
        Show(merged.Graph);
        if (merged.BothChanged.Count > 0)
        {
            Snackbar.Add($"You both changed {string.Join(", ", merged.BothChanged.Select(Label))}: your version is kept (Ctrl+Z goes back to your draft before the merge).", Severity.Warning);
        }

        await SaveNowAsync();
    }

    private async Task TakeTheirsAsync()
    {
        var current = await Workflows.FindAsync(Workflow.Id, CancellationToken.None);
        if (current is null) return;
        Load(current);
        StateHasChanged();
        await OnSaved.InvokeAsync(current.Revision);
    }
}
