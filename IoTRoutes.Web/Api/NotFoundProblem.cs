using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

internal static class NotFoundProblem
{
    public static ProblemHttpResult Device(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"There is no device {id}.");
}
