using System.Text.Json.Nodes;
using IoTRoutes.Core;
using IoTRoutes.Core.Jobs;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

/// <summary>A manual run's parameters, by name, as the trigger declares them.</summary>
public sealed record RunJobRequest(JsonObject? Parameters);

public sealed record RunQueuedResponse(Guid RunId);

public sealed record RunCancelResponse(Guid RunId, JobRunStatus Status, bool CancelRequested);

public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var view = Permission.View(SecuredObject.Jobs);
        var runNow = Permission.Of(SecuredActions.JobsRunNow);
        var api = app.MapGroup("/api/v1/jobs").WithTags("Jobs").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListJobs").WithSummary("List jobs")
            .WithDescription("Published workflows as jobs: trigger, schedule in words and next runs, parameters, last run.").RequirePermission(view);
        api.MapGet("/{id:guid}", GetAsync).WithName("GetJob").WithSummary("Get a job")
            .WithDescription("One job: trigger, schedule in words and next runs, parameters, last run.").RequirePermission(view);
        api.MapGet("/{id:guid}/runs", RunsAsync).WithName("ListJobRuns").WithSummary("List job runs")
            .WithDescription("Runs of every trigger, newest first: status (Queued, Running, Succeeded, Failed, Cancelled, Skipped), trigger, from, to (ISO 8601), limit 1-500.")
            .RequirePermission(view);
        api.MapPost("/{id:guid}/run", RunAsync).WithName("RunJob").WithSummary("Run a job now")
            .WithDescription("Queue a run now: a Manual job's {\"parameters\":{...}} (checked: 400 with errors by parameters.<name>), or a Schedule job outside its times; 202 {runId}.")
            .RequirePermission(runNow);
        app.MapPost("/api/v1/runs/{id:guid}/cancel", CancelAsync).WithTags("Jobs").WithName("CancelRun").WithSummary("Cancel a job run")
            .WithDescription("Cancel a queued run at once, or ask a running one to stop (within seconds); 409 when it has ended.")
            .RequireAuthorization(WebSecurityExtensions.ApiPolicy).RequirePermission(runNow);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<JobDto>>> ListAsync(JobService jobs, CancellationToken ct) => TypedResults.Ok(await jobs.ListAsync(ct));

    private static async Task<Results<Ok<JobDto>, ProblemHttpResult>> GetAsync(Guid id, JobService jobs, CancellationToken ct) =>
        await jobs.FindAsync(id, ct) is { } job ? TypedResults.Ok(job) : NotFoundProblem.Job(id);

    private static async Task<Results<Ok<IReadOnlyList<JobRunDto>>, ValidationProblem, ProblemHttpResult>> RunsAsync(
        Guid id, string? status, string? trigger, DateTimeOffset? from, DateTimeOffset? to, int? limit, JobService jobs, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        JobRunStatus? wanted = null;
        if (status is { Length: > 0 })
        {
            if (char.IsLetter(status[0]) && Enum.TryParse<JobRunStatus>(status, ignoreCase: true, out var parsed)) wanted = parsed;
            else errors["status"] = [$"status is one of {string.Join(", ", Enum.GetNames<JobRunStatus>())}."];
        }

        if (limit is < 1 or > JobService.MaxLimit) errors["limit"] = [$"limit must be between 1 and {JobService.MaxLimit}."];
        if (from > to) errors["from"] = ["from is before to."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return await jobs.RunsAsync(id, new JobRunFilter(wanted, trigger, from, to, limit ?? 100), ct) is { } runs ? TypedResults.Ok(runs) : NotFoundProblem.Job(id);
    }

    private static async Task<Results<Accepted<RunQueuedResponse>, ValidationProblem, ProblemHttpResult>> RunAsync(
        Guid id, RunJobRequest? request, JobService jobs, CancellationToken ct)
    {
        var result = await jobs.RunNowAsync(id, request?.Parameters, ct);
        return result.Outcome switch
        {
            ChangeOutcome.Done => TypedResults.Accepted($"/api/v1/runs/{result.Id}", new RunQueuedResponse(result.Id!.Value)),
            ChangeOutcome.NotFound => NotFoundProblem.Job(id),
            ChangeOutcome.Conflict => ChangeResponses.Conflict(result),
            ChangeOutcome.Forbidden => ChangeResponses.Forbidden(result),
            _ => TypedResults.ValidationProblem(result.Errors!),
        };
    }

    private static async Task<Results<Ok<RunCancelResponse>, ProblemHttpResult>> CancelAsync(Guid id, JobService jobs, CancellationToken ct)
    {
        var result = await jobs.CancelAsync(id, ct);
        if (result.Outcome == ChangeOutcome.NotFound) return NotFoundProblem.Run(id);
        if (result.Outcome != ChangeOutcome.Done) return ChangeResponses.Conflict(result);
        var run = await jobs.FindRunAsync(id, ct);
        return TypedResults.Ok(new RunCancelResponse(id, run?.Status ?? JobRunStatus.Cancelled, run?.CancelRequested ?? true));
    }
}
