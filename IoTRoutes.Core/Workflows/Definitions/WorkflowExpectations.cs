using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>Compares a dry run with a test case's expectation; each miss is one sentence.</summary>
public static class WorkflowExpectations
{
    public static IReadOnlyList<string> Check(WorkflowExpectation expected, DryRunResult run)
    {
        var failures = new List<string>();
        var succeeded = expected.Succeeded ?? true;
        if (run.Succeeded != succeeded)
        {
            failures.Add(run.Succeeded ? "The run succeeded; a failure was expected." : $"The run failed at {run.Failure!.NodeId}: {run.Failure.Error}");
        }

        foreach (var (node, port) in expected.Ports ?? new Dictionary<string, string?>())
        {
            var taken = run.Steps.Where(s => s.NodeId == node && s.Port is not null).Select(s => s.Port!).Distinct().ToList();
            var ran = run.Steps.Any(s => s.NodeId == node);
            if (port is null && ran) failures.Add($"{node} ran; it was expected not to.");
            else if (port is not null && !taken.Contains(port))
            {
                failures.Add(ran ? $"{node} sent to {(taken.Count == 0 ? "no port" : string.Join(", ", taken))}, not {port}." : $"{node} did not run; port {port} was expected.");
            }
        }

        foreach (var (node, fields) in expected.Outputs ?? new Dictionary<string, JsonObject>())
        {
            var outputs = run.Steps.Where(s => s.NodeId == node && s.Output is not null).Select(s => s.Output!["fields"] as JsonObject).ToList();
            if (outputs.Count == 0)
            {
                failures.Add($"{node} gave no output.");
                continue;
            }

            var mismatch = fields.Select(f => (f.Key, f.Value, Got: outputs[^1]?[f.Key]))
                .Where(f => !outputs.Any(o => o is not null && o.ContainsKey(f.Key) && JsonNode.DeepEquals(o[f.Key], f.Value))).ToList();
            failures.AddRange(mismatch.Select(m => $"{node}'s output has {m.Key} = {m.Got?.ToJsonString() ?? "nothing"}, not {m.Value?.ToJsonString() ?? "null"}."));
        }

        if (expected.Effects is { } kinds)
        {
            var would = run.Effects.Select(e => e.Kind).Order(StringComparer.Ordinal).ToList();
            if (!would.SequenceEqual(kinds.Order(StringComparer.Ordinal)))
            {
                failures.Add($"The run would have had {(would.Count == 0 ? "no effect" : string.Join(", ", would))}, not {(kinds.Count == 0 ? "none" : string.Join(", ", kinds))}.");
            }
        }

        return failures;
    }
}
