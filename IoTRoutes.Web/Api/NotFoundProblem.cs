using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

internal static class NotFoundProblem
{
    public static ProblemHttpResult Device(Guid id) => Of("device", id);

    public static ProblemHttpResult Entity(Guid id) => Of("entity", id);

    public static ProblemHttpResult Role(Guid id) => Of("role", id);

    public static ProblemHttpResult User(Guid id) => Of("user", id);

    public static ProblemHttpResult Broker(Guid id) => Of("broker", id);

    public static ProblemHttpResult Command(Guid id) => Of("command", id);

    public static ProblemHttpResult Certificate(Guid id) => Of("certificate", id);

    public static ProblemHttpResult Format(Guid id) => Of("format", id);

    public static ProblemHttpResult Profile(Guid id) => Of("profile", id);

    public static ProblemHttpResult Workflow(Guid id) => Of("workflow", id);

    public static ProblemHttpResult Run(Guid id) => Of("run", id);

    public static ProblemHttpResult Job(Guid id) => Of("job", id);

    public static ProblemHttpResult Alert(Guid id) => Of("alert", id);

    public static ProblemHttpResult Message(Guid id) => Of("message", id);

    public static ProblemHttpResult File(Guid id) => Of("file", id);

    public static ProblemHttpResult Communicator(Guid id) => Of("communicator", id);

    public static ProblemHttpResult NotificationRule(Guid id) => Of("notification rule", id);

    // The same words whether the object does not exist or is outside the caller's entity: existence is not revealed.
    private static ProblemHttpResult Of(string what, Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"There is no {what} {id}.");
}
