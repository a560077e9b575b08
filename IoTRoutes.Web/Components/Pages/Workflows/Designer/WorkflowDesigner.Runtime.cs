using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Runner;
using Microsoft.AspNetCore.Components;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>The active version's live counters on the nodes, and a stored message's path drawn on arrival.</summary>
public sealed partial class WorkflowDesigner
{
    private static readonly TimeSpan CountersEvery = TimeSpan.FromSeconds(5);
    private CancellationTokenSource? _counting;
    private string? _messageBanner;

    [Inject] private MessageTraces MessageTraces { get; set; } = null!;

    /// <summary>A stored message whose path through this workflow is drawn when the designer opens (from its Trace link).</summary>
    [Parameter] public Guid? TraceMessageId { get; set; }

    private async Task CountAsync()
    {
        if (Workflow.ActiveVersion is null) return;
        var counting = _counting = new CancellationTokenSource();
        using var timer = new PeriodicTimer(CountersEvery, Clock);
        while (true)
        {
            try
            {
                if (await Workflows.RuntimeAsync(Workflow.Id, counting.Token) is { } runtime) await InvokeAsync(() => ShowCounters(runtime));
                if (!await timer.WaitForNextTickAsync(counting.Token)) return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or Microsoft.EntityFrameworkCore.DbUpdateException)
            {
                return; // counters are a help, not the page: they stop rather than break it
            }
        }
    }

    /// <summary>Counters by node id: a node of the draft shows those of the active version's node with its id.</summary>
    private void ShowCounters(WorkflowRuntimeDto runtime)
    {
        var byNode = runtime.Nodes.ToDictionary(n => n.NodeId, StringComparer.Ordinal);
        foreach (var node in _diagram.Nodes.OfType<WorkflowNodeModel>())
        {
            var counters = byNode.TryGetValue(node.Id, out var c) ? new NodeCountersView(c.In, c.Errors, c.Out) : null;
            if (counters is null ? node.Counters is null : counters.SameAs(node.Counters)) continue; // unchanged: no redraw
            node.Counters = counters;
            node.Refresh();
        }
    }

    private async Task ShowMessagePathAsync(Guid messageId)
    {
        var trace = await MessageTraces.TraceAsync(messageId, CancellationToken.None);
        var mine = trace?.Workflows.FirstOrDefault(w => w.WorkflowId == Workflow.Id);
        if (mine is null)
        {
            _messageBanner = trace is null ? $"There is no message {messageId} you may read." : $"Message {messageId} did not go through this workflow.";
            StateHasChanged();
            return;
        }

        _testing = true;
        ShowTrace(new DryRunResult(mine.Succeeded, mine.Failure, mine.Path, mine.Steps ?? [], mine.Effects ?? []));
        var how = mine.Replay ? $"replayed on v{mine.Version}, the version active then" : $"as recorded by v{mine.Version}";
        var draft = Workflow.ActiveVersion == mine.Version ? "" : " (the draft drawn here may differ from that version)";
        _messageBanner = $"The path of message {messageId}, {how}{draft}.";
        StateHasChanged();
    }
}
