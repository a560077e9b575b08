using System.Text.Json.Nodes;
using IoTRoutes.Core;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Runner;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IoTRoutes.Web.Api;

public sealed record CreatedWorkflowResponse(Guid Id, int Revision);

public sealed record SavedDraftResponse(Guid Id, int Revision);

/// <param name="Revision">The draft revision the publisher reviewed: a draft saved since is refused (409).</param>
public sealed record PublishRequest(string? Note, int? Revision = null);

/// <param name="Enabled">False switches debug mode off; on (for 15 minutes from now) when absent.</param>
public sealed record DebugRequest(bool? Enabled);

public sealed record DebugResponse(DateTimeOffset? DebugUntil);

/// <summary>A dry run's input: the item's fields (and optionally the device it is about), or a stored message's id.</summary>
public sealed record WorkflowTestRequest(JsonObject? Input, Guid? DeviceId, Guid? MessageId);

public static class WorkflowsApi
{
    public static IEndpointRouteBuilder MapWorkflowsApi(this IEndpointRouteBuilder app)
    {
        var view = Permission.View(SecuredObject.Workflows);
        var manage = Permission.Manage(SecuredObject.Workflows);
        var api = app.MapGroup("/api/v1/workflows").WithTags("Workflows").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListWorkflows").WithSummary("List workflows")
            .WithDescription("Workflows with their state, active version and the number of problems of their draft.")
            .RequirePermission(view);
        api.MapGet("/actions", ActionsAsync).WithName("ListWorkflowActions").WithSummary("List workflow node types")
            .WithDescription("The node types a workflow can use: kind, category, settings and output ports.").RequirePermission(view);
        api.MapPost("/", CreateAsync).WithName("CreateWorkflow").WithSummary("Create a workflow")
            .WithDescription("Create a workflow: name, entityId (yours by default), definition {nodes, links}.")
            .RequirePermission(manage);
        api.MapPost("/import", ImportAsync).WithName("ImportWorkflow").WithSummary("Import a workflow")
            .WithDescription("Create a workflow (a draft, not published) from an exported document: {entityId (yours by default), name (the document's by default), document}.")
            .RequirePermission(manage);
        api.MapGet("/{id:guid}", GetAsync).WithName("GetWorkflow").WithSummary("Get a workflow")
            .WithDescription("The draft, its revision and problems, the active version, enabled, debug.")
            .RequirePermission(view);
        api.MapPut("/{id:guid}", UpdateAsync).WithName("UpdateWorkflow").WithSummary("Save a workflow's draft")
            .WithDescription("Save the draft from the revision it was loaded at; a stale revision is a 409 saying what changed since.")
            .RequirePermission(manage);
        api.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteWorkflow").WithSummary("Delete a workflow")
            .WithDescription("Delete the workflow with its versions, node state and recorded runs.").RequirePermission(manage);
        api.MapPost("/{id:guid}/publish", PublishAsync).WithName("PublishWorkflow").WithSummary("Publish a workflow")
            .WithDescription("Publish the draft as the next version, now active; a draft with problems is a 400 listing them per node.")
            .RequirePermission(Permission.Of(SecuredActions.WorkflowsPublish));
        api.MapGet("/{id:guid}/versions", VersionsAsync).WithName("ListWorkflowVersions").WithSummary("List a workflow's versions")
            .WithDescription("Every published version, newest first.")
            .RequirePermission(view);
        api.MapPost("/{id:guid}/versions/{version:int}/restore", RestoreAsync).WithName("RestoreWorkflowVersion").WithSummary("Restore a workflow version")
            .WithDescription("Copy a version into the draft (a new revision); publishing it is a separate step.").RequirePermission(manage);
        api.MapGet("/{id:guid}/diff", DiffAsync).WithName("DiffWorkflow").WithSummary("Compare workflow definitions")
            .WithDescription("What changed from one definition to another: from=active|draft|<version> (default active; nothing published: empty), " +
                         "to=active|draft|<version> (default draft); nodes, settings and links, moves apart.")
            .RequirePermission(view);
        api.MapGet("/{id:guid}/export", ExportAsync).WithName("ExportWorkflow").WithSummary("Export a workflow")
            .WithDescription("The draft, name, description and test cases as a self-contained document (format iotroutes-workflow, version 1), " +
                         "as an attachment named <name>.iotroutes-workflow.json.")
            .RequirePermission(view);
        api.MapGet("/{id:guid}/references/{kind}", ReferencesAsync).WithName("ListWorkflowReferences").WithSummary("List a workflow's reference choices")
            .WithDescription("What a setting that refers to a Device, Entity or Profile can name in this workflow (its part of the entity tree), " +
                         "found by name (search=, at most 50).")
            .RequirePermission(view);
        api.MapPost("/{id:guid}/enable", EnableAsync).WithName("EnableWorkflow").WithSummary("Enable a workflow")
            .WithDescription("The runner runs the workflow's active version again.").RequirePermission(manage);
        api.MapPost("/{id:guid}/disable", DisableAsync).WithName("DisableWorkflow").WithSummary("Disable a workflow")
            .WithDescription("The runner no longer runs it.").RequirePermission(manage);
        api.MapPost("/{id:guid}/debug", DebugAsync).WithName("DebugWorkflow").WithSummary("Switch a workflow's debug mode")
            .WithDescription("Trace every run for the next 15 minutes ({\"enabled\":false} switches it off).").RequirePermission(manage);
        api.MapPost("/{id:guid}/test", TestAsync).WithName("TestWorkflow").WithSummary("Dry-run a workflow")
            .WithDescription("Dry run of the draft on {input, deviceId} or on a stored message {messageId} (the item as the runner makes it; needs Messages View too): " +
                         "the trace, and the effects it would have had (none happens).").RequirePermission(view);
        api.MapPost("/{id:guid}/tests/run", RunTestsAsync).WithName("RunWorkflowTests").WithSummary("Run a workflow's test cases")
            .WithDescription("Run the workflow's test cases on its draft: pass or fail per case.").RequirePermission(view);
        api.MapGet("/{id:guid}/runs", RunsAsync).WithName("ListWorkflowRuns").WithSummary("List a workflow's runs")
            .WithDescription("Recorded runs, newest first: every failed run, every run while debug mode was on (limit 1-500, default 100).").RequirePermission(view);
        app.MapGet("/api/v1/runs/{id:guid}", RunAsync).WithTags("Workflows").WithName("GetWorkflowRun").WithSummary("Get a workflow run")
            .WithDescription("One recorded run with its trace: the path, the failing node's input, each step when traced.")
            .RequireAuthorization(WebSecurityExtensions.ApiPolicy).RequirePermission(view);
        app.MapGet("/api/v1/messages/{id:guid}/trace", TraceAsync).WithTags("Workflows").WithName("TraceMessage").WithSummary("Trace a message through workflows")
            .WithDescription("A message's way through each workflow that handled it: the recorded run, or a dry-run replay (replay: true) of the version " +
                         "active when it was received, node state as it is now; needs Messages View too.")
            .RequireAuthorization(WebSecurityExtensions.ApiPolicy).RequirePermission(view);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<WorkflowSummaryDto>>> ListAsync(WorkflowService workflows, CancellationToken ct) =>
        TypedResults.Ok(await workflows.ListAsync(ct));

    private static async Task<Ok<IReadOnlyList<WorkflowActionDto>>> ActionsAsync(WorkflowService workflows, CancellationToken ct) =>
        TypedResults.Ok(await workflows.ActionsAsync(ct));

    private static async Task<Results<Ok<IReadOnlyList<IoTRoutes.Core.Workflows.Runner.WorkflowRunDto>>, ProblemHttpResult>> RunsAsync(
        Guid id, IoTRoutes.Core.Workflows.Runner.WorkflowRunHistory runs, CancellationToken ct, int limit = 100) =>
        await runs.ListAsync(id, limit, ct) is { } list ? TypedResults.Ok(list) : NotFoundProblem.Workflow(id);

    private static async Task<Results<Ok<IoTRoutes.Core.Workflows.Runner.WorkflowRunDto>, ProblemHttpResult>> RunAsync(
        Guid id, IoTRoutes.Core.Workflows.Runner.WorkflowRunHistory runs, CancellationToken ct) =>
        await runs.FindAsync(id, ct) is { } run ? TypedResults.Ok(run) : NotFoundProblem.Run(id);

    private static async Task<Results<Ok<WorkflowDto>, ProblemHttpResult>> GetAsync(Guid id, WorkflowService workflows, CancellationToken ct) =>
        await workflows.FindAsync(id, ct) is { } workflow ? TypedResults.Ok(workflow) : NotFoundProblem.Workflow(id);

    private static async Task<Results<Created<CreatedWorkflowResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        JsonObject body, WorkflowService workflows, CancellationToken ct)
    {
        var (request, errors) = WorkflowRequestReader.ReadCreate(body);
        if (request is null) return TypedResults.ValidationProblem(errors);
        var result = await workflows.CreateAsync(request, ct);
        var created = result.Id is { } id ? new CreatedWorkflowResponse(id, 1) : null;
        return ChangeResponses.Created(result, "/api/v1/workflows", created, () => NotFoundProblem.Workflow(Guid.Empty));
    }

    private static async Task<Results<Created<CreatedWorkflowResponse>, ValidationProblem, ProblemHttpResult>> ImportAsync(
        JsonObject body, WorkflowService workflows, CancellationToken ct)
    {
        var (request, errors) = WorkflowRequestReader.ReadImport(body);
        if (request is null) return TypedResults.ValidationProblem(errors);
        var result = await workflows.ImportAsync(request, ct);
        var created = result.Id is { } id ? new CreatedWorkflowResponse(id, 1) : null;
        return ChangeResponses.Created(result, "/api/v1/workflows", created, () => NotFoundProblem.Workflow(Guid.Empty));
    }

    /// <summary>The document, named as a file (<c>Hot rooms.iotroutes-workflow.json</c>) so a browser or <c>curl -OJ</c> saves it as one.</summary>
    private static async Task<Results<Ok<WorkflowDocument>, ProblemHttpResult>> ExportAsync(
        Guid id, WorkflowService workflows, HttpResponse response, CancellationToken ct)
    {
        if (await workflows.ExportAsync(id, ct) is not { } document) return NotFoundProblem.Workflow(id);
        var disposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(WorkflowDocument.FileNameFor(document.Name));
        response.Headers.ContentDisposition = disposition.ToString();
        return TypedResults.Ok(document);
    }

    private static async Task<Results<Ok<IReadOnlyList<ReferenceOption>>, ValidationProblem, ProblemHttpResult>> ReferencesAsync(
        Guid id, string kind, string? search, WorkflowReferences references, CancellationToken ct)
    {
        if (kind.Length == 0 || !char.IsLetter(kind[0]) || !Enum.TryParse<SettingReference>(kind, ignoreCase: true, out var refers) || !Enum.IsDefined(refers))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["kind"] = [$"kind is one of {string.Join(", ", Enum.GetNames<SettingReference>())}."] });
        }

        return await references.SearchAsync(id, refers, search, ct) is { } options ? TypedResults.Ok(options) : NotFoundProblem.Workflow(id);
    }

    private static async Task<Results<Ok<WorkflowComparison>, ValidationProblem, ProblemHttpResult>> DiffAsync(
        Guid id, WorkflowService workflows, CancellationToken ct, [FromQuery(Name = "from")] string? fromSide = null, [FromQuery(Name = "to")] string? toSide = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (!WorkflowSide.TryParse(fromSide ?? "active", out var from)) errors["from"] = ["from is active, draft or a version number (3 or v3)."];
        if (!WorkflowSide.TryParse(toSide ?? "draft", out var to)) errors["to"] = ["to is active, draft or a version number (3 or v3)."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var compared = await workflows.CompareAsync(id, from, to, ct);
        return compared switch
        {
            { Outcome: ChangeOutcome.Done } => TypedResults.Ok(compared.Comparison!),
            { Error: { } missing } => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: missing),
            _ => NotFoundProblem.Workflow(id),
        };
    }

    private static async Task<Results<Ok<SavedDraftResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, JsonObject body, WorkflowService workflows, CancellationToken ct)
    {
        var (request, errors) = WorkflowRequestReader.ReadUpdate(body);
        if (request is null) return TypedResults.ValidationProblem(errors);
        var saved = await workflows.UpdateAsync(id, request, ct);
        if (saved.Stale is { } stale) return Stale(saved.Change, stale);
        return Saved(id, saved);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(Guid id, WorkflowService workflows, CancellationToken ct) =>
        ChangeResponses.NoContent(await workflows.DeleteAsync(id, ct), () => NotFoundProblem.Workflow(id));

    private static async Task<Results<Ok<WorkflowVersionDto>, ProblemHttpResult>> PublishAsync(
        Guid id, PublishRequest? request, WorkflowService workflows, CancellationToken ct)
    {
        var published = await workflows.PublishAsync(id, request?.Note, request?.Revision, ct);
        return published.Outcome switch
        {
            ChangeOutcome.Done => TypedResults.Ok(published.Version!),
            ChangeOutcome.NotFound => NotFoundProblem.Workflow(id),
            ChangeOutcome.Conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: published.Error),
            _ => Problems(published.Problems, published.Error),
        };
    }

    private static async Task<Results<Ok<IReadOnlyList<WorkflowVersionDto>>, ProblemHttpResult>> VersionsAsync(
        Guid id, WorkflowService workflows, CancellationToken ct) =>
        await workflows.VersionsAsync(id, ct) is { } versions ? TypedResults.Ok(versions) : NotFoundProblem.Workflow(id);

    private static async Task<Results<Ok<SavedDraftResponse>, ValidationProblem, ProblemHttpResult>> RestoreAsync(
        Guid id, int version, WorkflowService workflows, CancellationToken ct) =>
        Saved(id, await workflows.RestoreAsync(id, version, ct));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> EnableAsync(Guid id, WorkflowService workflows, CancellationToken ct) =>
        ChangeResponses.NoContent(await workflows.SetEnabledAsync(id, true, ct), () => NotFoundProblem.Workflow(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DisableAsync(Guid id, WorkflowService workflows, CancellationToken ct) =>
        ChangeResponses.NoContent(await workflows.SetEnabledAsync(id, false, ct), () => NotFoundProblem.Workflow(id));

    private static async Task<Results<Ok<DebugResponse>, ProblemHttpResult>> DebugAsync(
        Guid id, DebugRequest? request, WorkflowService workflows, CancellationToken ct)
    {
        var (change, until) = await workflows.SetDebugAsync(id, request?.Enabled ?? true, ct);
        return change.Outcome == ChangeOutcome.Done ? TypedResults.Ok(new DebugResponse(until)) : NotFoundProblem.Workflow(id);
    }

    private static async Task<Results<Ok<DryRunResult>, ValidationProblem, ProblemHttpResult>> TestAsync(
        Guid id, WorkflowTestRequest request, WorkflowTrial trial, CancellationToken ct)
    {
        if (InputErrors(request) is { } wrong) return TypedResults.ValidationProblem(wrong);
        var outcome = request.MessageId is { } messageId
            ? await trial.TestMessageAsync(id, messageId, ct)
            : await trial.TestAsync(id, request.Input!, request.DeviceId, ct);
        return outcome.Outcome switch
        {
            ChangeOutcome.Done => TypedResults.Ok(outcome.Result!),
            ChangeOutcome.NotFound when outcome.MissingMessage is { } missing => NotFoundProblem.Message(missing),
            ChangeOutcome.NotFound => NotFoundProblem.Workflow(id),
            _ when outcome.Errors is { } errors => TypedResults.ValidationProblem(errors),
            _ => Problems(outcome.Problems, null),
        };
    }

    /// <summary>Either fields (with a device, if any) or a stored message: both, or neither, is a 400.</summary>
    private static Dictionary<string, string[]>? InputErrors(WorkflowTestRequest request) => request switch
    {
        { Input: null, MessageId: null } => new() { ["input"] = ["Send the item's fields as input ({\"input\":{\"temp\":31}}) or a stored message's id as messageId."] },
        { Input: not null, MessageId: not null } => new() { ["messageId"] = ["Send input or messageId, not both."] },
        { MessageId: not null, DeviceId: not null } => new() { ["deviceId"] = ["A stored message names its device: deviceId goes only with input."] },
        _ => null,
    };

    private static async Task<Results<Ok<MessageTraceDto>, ProblemHttpResult>> TraceAsync(Guid id, MessageTraces traces, CancellationToken ct) =>
        await traces.TraceAsync(id, ct) is { } trace ? TypedResults.Ok(trace) : NotFoundProblem.Message(id);

    private static async Task<Results<Ok<IReadOnlyList<WorkflowTestResult>>, ProblemHttpResult>> RunTestsAsync(
        Guid id, WorkflowTrial trial, CancellationToken ct)
    {
        var outcome = await trial.RunTestsAsync(id, ct);
        return outcome.Outcome switch
        {
            ChangeOutcome.Done => TypedResults.Ok(outcome.Result!),
            ChangeOutcome.NotFound => NotFoundProblem.Workflow(id),
            _ => Problems(outcome.Problems, null),
        };
    }

    private static Results<Ok<SavedDraftResponse>, ValidationProblem, ProblemHttpResult> Saved(Guid id, DraftSave saved) => saved.Change.Outcome switch
    {
        ChangeOutcome.Done => TypedResults.Ok(new SavedDraftResponse(id, saved.Revision)),
        ChangeOutcome.NotFound => NotFoundProblem.Workflow(id),
        ChangeOutcome.Conflict => ChangeResponses.Conflict(saved.Change),
        _ => TypedResults.ValidationProblem(saved.Change.Errors!),
    };

    /// <summary>409 for a stale save: the current revision, who saved it and when, and what changed since the caller's revision.</summary>
    private static ProblemHttpResult Stale(ChangeResult change, StaleDraft stale) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The draft changed since your revision", detail: change.FirstError,
            extensions: new Dictionary<string, object?>
            {
                ["revision"] = stale.CurrentRevision, ["baseRevision"] = stale.BaseRevision, ["savedBy"] = stale.SavedBy, ["savedAt"] = stale.SavedAt,
                ["comparedWith"] = stale.ComparedWith, ["changes"] = stale.Changes,
            });

    /// <summary>400 with the problems that keep a draft from compiling, each on its node and setting.</summary>
    private static ProblemHttpResult Problems(IReadOnlyList<WorkflowProblem> problems, string? detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The workflow has problems",
            detail: detail ?? $"The draft has {problems.Count} problem(s).", extensions: new Dictionary<string, object?> { ["problems"] = problems });
}
