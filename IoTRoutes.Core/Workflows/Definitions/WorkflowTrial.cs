using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>One node's call in a dry run's trace.</summary>
public sealed record DryRunStep(string NodeId, JsonObject? Input, string? Port, JsonObject? Output, double ElapsedMs, string? Error)
{
    public static DryRunStep Of(NodeStep s) => new(s.NodeId, s.Input, s.Port, s.Output, s.Elapsed.TotalMilliseconds, s.Error);
}

/// <summary>
/// A dry run of a draft: whether it ended without a failure, the failure, the nodes it went through, every step, and the
/// effects it would have had (none of them happened).
/// </summary>
public sealed record DryRunResult(bool Succeeded, RunFailure? Failure, IReadOnlyList<string> Path, IReadOnlyList<DryRunStep> Steps, IReadOnlyList<RecordedEffect> Effects);

/// <summary>
/// A dry run asked for: or the workflow was not found, or the draft has problems, or the request was wrong (field errors),
/// or the stored message it names is not the caller's to read (<paramref name="MissingMessage"/>, with NotFound).
/// </summary>
public sealed record TrialOutcome<T>(
    ChangeOutcome Outcome, T? Result, IReadOnlyList<WorkflowProblem> Problems, IReadOnlyDictionary<string, string[]>? Errors = null, Guid? MissingMessage = null);

/// <summary>
/// Runs a workflow's draft on an input without touching anything (<see cref="WorkflowDryRun"/>): compiled as publishing
/// would, on fields given, or on a stored message exactly as the runner would take it. Also runs the workflow's test cases.
/// </summary>
public sealed class WorkflowTrial(ScopedContexts contexts, IServiceProvider services, WorkflowDryRun dryRun)
{
    public async Task<TrialOutcome<DryRunResult>> TestAsync(Guid id, JsonObject input, Guid? deviceId, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Workflows), ct);
        await using var _db = db;
        var (workflow, compiled, problems) = await DraftAsync(db, id, ct);
        if (workflow is null) return new(ChangeOutcome.NotFound, null, []);
        if (compiled is null) return new(ChangeOutcome.Invalid, null, problems);
        DeviceContext? device = null;
        if (deviceId is { } d && (device = await DeviceAsync(db, d, ct)) is null)
        {
            return new(ChangeOutcome.Invalid, null, [], new Dictionary<string, string[]> { ["deviceId"] = [$"There is no device {d}."] });
        }

        return new(ChangeOutcome.Done, await dryRun.RunAsync(compiled, workflow.Id, 0, WorkflowItem.FromJson(input, device, trigger: "test"), null, ct), []);
    }

    /// <summary>
    /// A dry run of the draft on a stored message, the item built as the runner builds it (its fields, device and message).
    /// Needs Messages View too; a message outside the caller's part of the entity tree is not found, as a missing one.
    /// </summary>
    public async Task<TrialOutcome<DryRunResult>> TestMessageAsync(Guid id, Guid messageId, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.View(SecuredObject.Workflows), ct);
        await using var _db = db;
        var (workflow, compiled, problems) = await DraftAsync(db, id, ct);
        if (workflow is null) return new(ChangeOutcome.NotFound, null, []);
        var message = await Runner.StoredMessageItems.FindAsync(db, caller, messageId, ct);
        if (message is null) return new(ChangeOutcome.NotFound, null, [], MissingMessage: messageId);
        if (compiled is null) return new(ChangeOutcome.Invalid, null, problems);
        if (NotRunnable(message) is { } why)
        {
            return new(ChangeOutcome.Invalid, null, [], new Dictionary<string, string[]> { ["messageId"] = [why] });
        }

        return new(ChangeOutcome.Done, await dryRun.RunAsync(compiled, workflow.Id, 0, message.MakeItem(), message.Id, ct), []);
    }

    /// <summary>Runs every test case of the workflow on its draft and says which pass.</summary>
    public async Task<TrialOutcome<IReadOnlyList<WorkflowTestResult>>> RunTestsAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.View(SecuredObject.Workflows), ct);
        await using var _db = db;
        var (workflow, compiled, problems) = await DraftAsync(db, id, ct);
        if (workflow is null) return new(ChangeOutcome.NotFound, null, []);
        if (compiled is null) return new(ChangeOutcome.Invalid, null, problems);
        var results = new List<WorkflowTestResult>();
        foreach (var test in WorkflowService.TestCasesOf(workflow))
        {
            var (item, source, error) = await InputOfAsync(db, caller, test, ct);
            if (item is null)
            {
                results.Add(new(test.Name, false, [error!], null));
                continue;
            }

            var run = await dryRun.RunAsync(compiled, workflow.Id, 0, item, source, ct);
            var failures = WorkflowExpectations.Check(test.Expected ?? new WorkflowExpectation(), run);
            results.Add(new(test.Name, failures.Count == 0, failures, run));
        }

        return new(ChangeOutcome.Done, results, []);
    }

    /// <summary>A test case's item: its fields (with its device, if it names one), or the stored message it names.</summary>
    private static async Task<(WorkflowItem? Item, Guid? Source, string? Error)> InputOfAsync(AppDbContext db, Caller caller, WorkflowTestCase test, CancellationToken ct)
    {
        if (test.MessageId is { } messageId)
        {
            var message = await Runner.StoredMessageItems.FindAsync(db, caller, messageId, ct);
            if (message is null) return (null, null, $"There is no message {messageId}.");
            return NotRunnable(message) is { } why ? (null, null, why) : (message.MakeItem(), message.Id, null);
        }

        DeviceContext? device = null;
        if (test.DeviceId is { } d && (device = await DeviceAsync(db, d, ct)) is null) return (null, null, $"There is no device {d}.");
        return (WorkflowItem.FromJson(test.Input ?? [], device, trigger: "test"), null, null);
    }

    private async Task<(Workflow? Workflow, CompiledWorkflow? Compiled, IReadOnlyList<WorkflowProblem> Problems)> DraftAsync(AppDbContext db, Guid id, CancellationToken ct)
    {
        var workflow = await db.Workflows.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
        if (workflow is null) return (null, null, []);
        var (compiled, problems) = services.GetRequiredService<WorkflowCompiler>().Compile(WorkflowGraph.Parse(workflow.Draft));
        return (workflow, compiled, problems);
    }

    /// <summary>Why the runner would never run a message: it runs only Processed ones.</summary>
    private static string? NotRunnable(Runner.StoredMessageItem message) =>
        message.State != MessageState.Processed ? $"Message {message.Id} is {message.State}: workflows run only on processed messages." : null;
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
