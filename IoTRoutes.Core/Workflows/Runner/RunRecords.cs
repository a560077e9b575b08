using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>A run as kept in <c>WorkflowRuns</c>: its outcome, the failing node and error, and its path and steps as JSON.</summary>
internal static class RunRecords
{
    private const int MaxError = 2048;

    /// <summary>The run's path, failing input and steps, as the Trace column keeps them.</summary>
    public static string TraceOf(RunOutcome outcome) => new JsonObject
    {
        ["path"] = new JsonArray([.. outcome.Path.Select(p => (JsonNode)p)]),
        ["input"] = outcome.Failure?.Input?.DeepClone(),
        ["steps"] = outcome.Steps is { } steps ? JsonSerializer.SerializeToNode(steps, WorkflowGraph.Json) : null,
    }.ToJsonString();

    public static string? ErrorOf(RunOutcome outcome) =>
        outcome.Failure?.Error is { Length: > MaxError } text ? text[..(MaxError - 3)] + "..." : outcome.Failure?.Error;

    public static WorkflowRunRecord From(RunContext run, RunOutcome outcome, StoredEvent source, DateTimeOffset started, DateTimeOffset ended) => new()
    {
        Id = run.RunId, WorkflowId = run.WorkflowId, Version = run.Version,
        Trigger = source.Kind switch
        {
            Triggers.TriggerKind.Message => "OnMessage",
            Triggers.TriggerKind.DeviceConnected => "OnDeviceConnected",
            Triggers.TriggerKind.DeviceDisconnected => "OnDeviceDisconnected",
            var other => other.ToString(),
        },
        Status = outcome.Succeeded ? Jobs.JobRunStatus.Succeeded : Jobs.JobRunStatus.Failed, EndedAt = ended,
        MessageId = source.Kind == Triggers.TriggerKind.Message ? source.Id : null, DeviceId = source.DeviceId, Succeeded = outcome.Succeeded,
        StartedAt = started, ElapsedMilliseconds = (ended - started).TotalMilliseconds,
        FailedNode = outcome.Failure?.NodeId, Error = outcome.Failure?.Error is { Length: > MaxError } text ? text[..(MaxError - 3)] + "..." : outcome.Failure?.Error,
        Trace = new JsonObject
        {
            ["path"] = new JsonArray([.. outcome.Path.Select(p => (JsonNode)p)]),
            ["input"] = outcome.Failure?.Input?.DeepClone(),
            ["steps"] = outcome.Steps is { } steps ? JsonSerializer.SerializeToNode(steps, WorkflowGraph.Json) : null,
        }.ToJsonString(),
    };
}
