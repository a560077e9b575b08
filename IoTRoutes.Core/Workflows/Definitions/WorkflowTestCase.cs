using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>An input with what a dry run of the draft is expected to do; kept with the workflow, run by <c>tests/run</c>.</summary>
/// <param name="Input">The item's fields; or else <paramref name="MessageId"/>.</param>
/// <param name="DeviceId">The device the item is about, as in a test run; none by default (only with <paramref name="Input"/>).</param>
/// <param name="MessageId">A stored message the item is made of, as the runner makes it (its device included).</param>
public sealed record WorkflowTestCase(string Name, JsonObject? Input, Guid? DeviceId = null, WorkflowExpectation? Expected = null, Guid? MessageId = null);

/// <summary>
/// What a test case checks; each part is optional. <paramref name="Ports"/>: node id → the port it must have sent an
/// output to (null: the node must not run). <paramref name="Outputs"/>: node id → fields its output must contain with
/// these values (other fields may be there too). <paramref name="Effects"/>: the kinds of effects the run would have had,
/// in any order (empty: none). <paramref name="Succeeded"/>: whether the run ends without a failure (true when absent).
/// </summary>
public sealed record WorkflowExpectation(
    IReadOnlyDictionary<string, string?>? Ports = null, IReadOnlyDictionary<string, JsonObject>? Outputs = null,
    IReadOnlyList<string>? Effects = null, bool? Succeeded = null);

/// <summary>How one test case went: passed, or each expectation it missed.</summary>
public sealed record WorkflowTestResult(string Name, bool Passed, IReadOnlyList<string> Failures, DryRunResult? Run);
