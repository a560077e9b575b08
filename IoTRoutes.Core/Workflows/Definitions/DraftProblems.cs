using System.Collections.Concurrent;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>
/// Each workflow's draft problems, kept with the draft text they were found in. The list and a workflow's page ask for
/// them on every refresh (a page polling the lag does twice a second), and finding them compiles the draft: every
/// expression parsed again. Compiling depends on the draft alone, so a draft with the same text has the same problems.
/// </summary>
public sealed class DraftProblems(WorkflowCompiler compiler)
{
    private readonly ConcurrentDictionary<Guid, (string Draft, IReadOnlyList<WorkflowProblem> Problems)> _known = new();

    public IReadOnlyList<WorkflowProblem> Of(Guid workflowId, string draft)
    {
        if (_known.TryGetValue(workflowId, out var known) && string.Equals(known.Draft, draft, StringComparison.Ordinal)) return known.Problems;
        var problems = compiler.Compile(WorkflowGraph.Parse(draft)).Problems;
        _known[workflowId] = (draft, problems);
        return problems;
    }

    /// <summary>The workflow is gone.</summary>
    public void Forget(Guid workflowId) => _known.TryRemove(workflowId, out _);
}
