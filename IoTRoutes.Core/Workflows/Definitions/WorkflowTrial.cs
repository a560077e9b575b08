using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>One node's call in a dry run's trace.</summary>
public sealed record DryRunStep(string NodeId, JsonObject? Input, string? Port, JsonObject? Output, double ElapsedMs, string? Error);

/// <summary>
/// A dry run of a draft: whether it ended without a failure, the failure, the nodes it went through, every step, and the
/// effects it would have had (none of them happened).
/// </summary>
public sealed record DryRunResult(bool Succeeded, RunFailure? Failure, IReadOnlyList<string> Path, IReadOnlyList<DryRunStep> Steps, IReadOnlyList<RecordedEffect> Effects);

/// <summary>A dry run asked for: or the workflow was not found, or the draft has problems, or the request was wrong (field errors).</summary>
public sealed record TrialOutcome<T>(ChangeOutcome Outcome, T? Result, IReadOnlyList<WorkflowProblem> Problems, IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>
/// Runs a workflow's draft on an input without touching anything: compiled as publishing would, traced, its effects
/// recorded as what would have happened, its node state in memory over nothing stored. Also runs the workflow's test cases.
/// </summary>
public sealed class WorkflowTrial(ScopedContexts contexts, IServiceProvider services, INodeStateStore state, TimeProvider clock)
{
    /// <summary>A dry run is stopped after this long (a Join waiting for a branch that awaits something slow).</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public async Task<TrialOutcome<DryRunResult>> TestAsync(Guid id, JsonObject input, Guid? deviceId, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Workflows), ct);
        await using var _db = db;
        var workflow = await db.Workflows.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
        if (workflow is null) return new(ChangeOutcome.NotFound, null, []);
        var (compiled, problems) = services.GetRequiredService<WorkflowCompiler>().Compile(WorkflowGraph.Parse(workflow.Draft));
        if (compiled is null) return new(ChangeOutcome.Invalid, null, problems);
        DeviceContext? device = null;
        if (deviceId is { } d && (device = await DeviceAsync(db, d, ct)) is null)
        {
            return new(ChangeOutcome.Invalid, null, [], new Dictionary<string, string[]> { ["deviceId"] = [$"There is no device {d}."] });
        }

        return new(ChangeOutcome.Done, await RunAsync(compiled, workflow.Id, input, device, ct), []);
    }

    /// <summary>Runs every test case of the workflow on its draft and says which pass.</summary>
    public async Task<TrialOutcome<IReadOnlyList<WorkflowTestResult>>> RunTestsAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Workflows), ct);
        await using var _db = db;
        var workflow = await db.Workflows.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
        if (workflow is null) return new(ChangeOutcome.NotFound, null, []);
        var (compiled, problems) = services.GetRequiredService<WorkflowCompiler>().Compile(WorkflowGraph.Parse(workflow.Draft));
        if (compiled is null) return new(ChangeOutcome.Invalid, null, problems);
        var results = new List<WorkflowTestResult>();
        foreach (var test in WorkflowService.TestCasesOf(workflow))
        {
            DeviceContext? device = null;
            if (test.DeviceId is { } d && (device = await DeviceAsync(db, d, ct)) is null)
            {
                results.Add(new(test.Name, false, [$"There is no device {d}."], null));
                continue;
            }

            var run = await RunAsync(compiled, workflow.Id, test.Input, device, ct);
            var failures = WorkflowExpectations.Check(test.Expected ?? new WorkflowExpectation(), run);
            results.Add(new(test.Name, failures.Count == 0, failures, run));
        }

        return new(ChangeOutcome.Done, results, []);
    }

    private async Task<DryRunResult> RunAsync(CompiledWorkflow compiled, Guid workflowId, JsonObject input, DeviceContext? device, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Limit);
        var effects = new RecordedEffects();
        // The live node state read (what the published version would see), nothing written to it.
        var run = new RunContext(Guid.CreateVersion7(), workflowId, 0, effects, new MemoryNodeState(state), clock, limit.Token) { Trace = true };
        var outcome = await WorkflowExecutor.RunAsync(compiled, WorkflowItem.FromJson(input, device, trigger: "test"), run);
        var steps = (outcome.Steps ?? []).Select(s => new DryRunStep(s.NodeId, s.Input, s.Port, s.Output, s.Elapsed.TotalMilliseconds, s.Error)).ToList();
        return new DryRunResult(outcome.Succeeded, outcome.Failure, outcome.Path, steps, effects.Effects);
    }

    private static async Task<DeviceContext?> DeviceAsync(AppDbContext db, Guid id, CancellationToken ct)
    {
        var device = await db.Devices.AsNoTracking().Where(x => x.Id == id)
            .Select(x => new { x.Id, x.Name, x.Key, x.EntityId, x.ProfileId }).SingleOrDefaultAsync(ct);
        if (device is null) return null;
        var profile = device.ProfileId is { } p ? await db.Profiles.IgnoreQueryFilters().Where(x => x.Id == p).Select(x => x.Name).SingleOrDefaultAsync(ct) : null;
        var attributes = await Devices.Attributes.DeviceAttributeReader.ReadAsync(db, [device.Id], ct);
        return new DeviceContext(device.Id, device.Name, device.Key, device.EntityId, device.ProfileId, profile,
            attributes.GetValueOrDefault(device.Id) ?? Devices.Attributes.DeviceAttributeReader.None);
    }
}
