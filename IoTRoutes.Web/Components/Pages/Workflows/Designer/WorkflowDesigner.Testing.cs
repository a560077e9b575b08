using Blazor.Diagrams.Core.Models;
using IoTRoutes.Core;
using IoTRoutes.Core.Workflows.Definitions;
using Microsoft.AspNetCore.Components;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>Test runs from the designer, and a run's path drawn over the canvas.</summary>
public sealed partial class WorkflowDesigner
{
    private const string VisitedColor = "#2e7d32";
    private bool _testing;
    private bool _testBusy;
    private string? _testError;
    private DryRunResult? _trace;
    private DesignerTestInput? _lastInput; // what the drawn run ran on, for "Save as test case"

    [Inject] private WorkflowTrial Trial { get; set; } = null!;

    /// <summary>The step of the selected node in the drawn run, if it ran.</summary>
    private DryRunStep? SelectedStep => _trace is { } trace && SelectedId is { } id ? trace.Steps.LastOrDefault(s => s.NodeId == id) : null;

    private async Task RunTestAsync(DesignerTestInput input)
    {
        _testBusy = true;
        _testError = null;
        try
        {
            if (CanEdit) await SaveNowAsync();
            var outcome = input.MessageId is { } messageId
                ? await Trial.TestMessageAsync(Workflow.Id, messageId, CancellationToken.None)
                : await Trial.TestAsync(Workflow.Id, input.Fields!, input.DeviceId, CancellationToken.None);
            if (outcome.Outcome == ChangeOutcome.Done)
            {
                ShowTrace(outcome.Result!);
                _lastInput = input;
            }
            else _testError = outcome.Problems.Count > 0 ? $"The draft has problems: {string.Join("; ", outcome.Problems.Select(p => $"{p.NodeId}: {p.Message}"))}"
                : outcome.MissingMessage is { } missing ? $"There is no message {missing} you may read."
                : outcome.Errors?.Values.SelectMany(e => e).FirstOrDefault() ?? outcome.Outcome.ToString();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _testError = e.Message;
        }
        finally
        {
            _testBusy = false;
            StateHasChanged();
        }
    }

    /// <summary>
    /// The last run kept as a test case: its input and what it did (each node's port, the effects' kinds, success), added to
    /// the draft's test cases and saved with the draft, as the Test tab and <c>POST …/tests/run</c> read them.
    /// </summary>
    private async Task SaveTestCaseAsync(string name)
    {
        if (_trace is not { } run || _lastInput is not { } input || !CanEdit) return;
        var current = await Workflows.FindAsync(Workflow.Id, CancellationToken.None);
        if (current is null) return;
        if (current.TestCases.Any(t => t.Name == name))
        {
            _testError = $"There is already a test case named {name}.";
            return;
        }

        var ports = run.Steps.GroupBy(s => s.NodeId).ToDictionary(g => g.Key, g => g.Last().Port);
        var expected = new WorkflowExpectation(ports, null, [.. run.Effects.Select(e => e.Kind)], run.Succeeded);
        var testCase = new WorkflowTestCase(name, input.Fields is { } fields ? (System.Text.Json.Nodes.JsonObject)fields.DeepClone() : null, input.DeviceId, expected, input.MessageId);
        _pendingSave?.Cancel();
        var saved = await Workflows.UpdateAsync(Workflow.Id, new UpdateWorkflowRequest(_revision, null, null, _graph, [.. current.TestCases, testCase]), CancellationToken.None);
        if (saved.Stale is { } stale)
        {
            _stale = stale;
            return;
        }

        if (saved.Change.Outcome != ChangeOutcome.Done)
        {
            _testError = saved.Change.FirstError ?? "The test case could not be saved.";
            return;
        }

        _revision = saved.Revision;
        _baseJson = _graph.ToJson();
        _history!.MarkSaved();
        Snackbar.Add($"Test case {name} saved with the draft (revision {saved.Revision}).", MudBlazor.Severity.Success);
        await OnSaved.InvokeAsync(saved.Revision);
    }

    /// <summary>Draws a run: each node it reached with the port it took (or its error) and time, the links it went along.</summary>
    public void ShowTrace(DryRunResult run)
    {
        _trace = run;
        var steps = run.Steps.GroupBy(s => s.NodeId).ToDictionary(g => g.Key, g => g.Last());
        foreach (var node in _diagram.Nodes.OfType<WorkflowNodeModel>())
        {
            node.Trace = steps.TryGetValue(node.Id, out var step) ? new NodeTraceView(step.Port, step.Error, TimeSpan.FromMilliseconds(step.ElapsedMs))
                : run.Failure?.NodeId == node.Id ? new NodeTraceView(null, run.Failure.Error, TimeSpan.Zero)
                : null;
            node.Refresh();
        }

        var taken = run.Steps.Where(s => s.Port is not null).Select(s => (s.NodeId, s.Port!)).ToHashSet();
        foreach (var link in _diagram.Links.OfType<LinkModel>())
        {
            var known = DiagramSync.AsWorkflowLink(link);
            var visited = known is not null && taken.Contains((known.From, known.FromPort)) && steps.ContainsKey(known.To);
            DiagramSync.Style(link);
            if (visited)
            {
                link.Color = VisitedColor;
                link.Width = 4;
            }

            link.Refresh();
        }

        StateHasChanged();
    }

    private void ClearTrace()
    {
        _trace = null;
        _testError = null;
        foreach (var node in _diagram.Nodes.OfType<WorkflowNodeModel>())
        {
            node.Trace = null;
            node.Refresh();
        }

        foreach (var link in _diagram.Links.OfType<LinkModel>())
        {
            link.Color = null;
            DiagramSync.Style(link);
            link.Refresh();
        }
    }

    private void ToggleTesting()
    {
        _testing = !_testing;
        if (!_testing) ClearTrace();
    }
}
