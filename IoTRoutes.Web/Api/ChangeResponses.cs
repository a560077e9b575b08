using IoTRoutes.Core;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

/// <summary>How a Core <see cref="ChangeResult"/> answers over HTTP: 201/204, 400 with field errors, 403, 409, or the object's 404.</summary>
internal static class ChangeResponses
{
    public static Results<Created<CreatedIdResponse>, ValidationProblem, ProblemHttpResult> Created(
        ChangeResult result, string collection, Func<ProblemHttpResult> notFound) => result.Outcome switch
    {
        ChangeOutcome.Done => TypedResults.Created($"{collection}/{result.Id}", new CreatedIdResponse(result.Id!.Value)),
        ChangeOutcome.NotFound => notFound(),
        ChangeOutcome.Conflict => Conflict(result),
        ChangeOutcome.Forbidden => Forbidden(result),
        _ => TypedResults.ValidationProblem(result.Errors!),
    };

    /// <summary>201 with the created object itself (a command, a certificate), for changes whose answer is more than an id.</summary>
    public static Results<Created<T>, ValidationProblem, ProblemHttpResult> Created<T>(
        ChangeResult result, string collection, T? created, Func<ProblemHttpResult> notFound) => result.Outcome switch
    {
        ChangeOutcome.Done => TypedResults.Created($"{collection}/{result.Id}", created),
        ChangeOutcome.NotFound => notFound(),
        ChangeOutcome.Conflict => Conflict(result),
        ChangeOutcome.Forbidden => Forbidden(result),
        _ => TypedResults.ValidationProblem(result.Errors!),
    };

    public static Results<NoContent, ValidationProblem, ProblemHttpResult> NoContent(ChangeResult result, Func<ProblemHttpResult> notFound) => result.Outcome switch
    {
        ChangeOutcome.Done => TypedResults.NoContent(),
        ChangeOutcome.NotFound => notFound(),
        ChangeOutcome.Conflict => Conflict(result),
        ChangeOutcome.Forbidden => Forbidden(result),
        _ => TypedResults.ValidationProblem(result.Errors!),
    };

    /// <summary>403: the caller may not make this change from where it stands (the reason in the detail).</summary>
    public static ProblemHttpResult Forbidden(ChangeResult result) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: result.FirstError);

    /// <summary>409: the request was valid but the state of things prevents it (a port in use, a broker still enabled).</summary>
    public static ProblemHttpResult Conflict(ChangeResult result) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: result.FirstError,
            extensions: new Dictionary<string, object?> { ["errors"] = result.Errors });
}
