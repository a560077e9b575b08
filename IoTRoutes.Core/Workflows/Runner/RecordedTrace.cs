using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>
/// A recorded run's trace as <see cref="RunRecords"/> writes it: the nodes it went through, the failing node's input, and
/// each step when the run was traced (debug mode); <see cref="Steps"/> is null otherwise.
/// </summary>
public sealed record RecordedTrace(IReadOnlyList<string> Path, JsonObject? Input, IReadOnlyList<DryRunStep>? Steps)
{
    public static readonly RecordedTrace None = new([], null, null);

    public static RecordedTrace Read(JsonObject? trace) => trace is null ? None : new(
        trace["path"] is JsonArray path ? [.. path.Select(n => n!.GetValue<string>())] : [],
        trace["input"]?.DeepClone() as JsonObject,
        trace["steps"] is JsonArray steps ? steps.Deserialize<List<NodeStep>>(WorkflowGraph.Json)!.ConvertAll(DryRunStep.Of) : null);
}
