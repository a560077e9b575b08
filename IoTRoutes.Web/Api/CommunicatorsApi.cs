using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public static class CommunicatorsApi
{
    public static IEndpointRouteBuilder MapCommunicatorsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/communicators").WithTags("Communicators").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListCommunicators").WithSummary("List communicators")
            .WithDescription("Connections to HTTP APIs, mail servers, FTP/SFTP servers and MQTT brokers, by name: settings, which secrets are set (never their values), last use and last error.")
            .RequirePermission(Permission.View(SecuredObject.Communicators));
        api.MapGet("/{id:guid}", GetAsync).WithName("GetCommunicator").WithSummary("Get a communicator").WithDescription("Get a communicator.")
            .RequirePermission(Permission.View(SecuredObject.Communicators));
        api.MapPost("/", CreateAsync).WithName("CreateCommunicator").WithSummary("Create a communicator")
            .WithDescription("A flat body: name, kind (Http, Smtp, Ftp, Sftp, MqttBridge), optional entityId and enabled, then the kind's settings " +
                             "and secrets, e.g. {\"name\":\"Mail\",\"kind\":\"Smtp\",\"host\":\"smtp.example.com\",\"port\":587,\"security\":\"StartTls\"," +
                             "\"username\":\"iot\",\"password\":\"...\",\"sender\":\"iot@example.com\"}. Secrets are encrypted and never returned.")
            .Accepts<JsonObject>("application/json")
            .RequirePermission(Permission.Manage(SecuredObject.Communicators));
        api.MapPut("/{id:guid}", UpdateAsync).WithName("UpdateCommunicator").WithSummary("Change a communicator")
            .WithDescription("The whole configuration as on create (the kind cannot change). A secret left out or null keeps its stored value; an empty text removes it.")
            .Accepts<JsonObject>("application/json")
            .RequirePermission(Permission.Manage(SecuredObject.Communicators));
        api.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteCommunicator").WithSummary("Delete a communicator")
            .WithDescription("Delete a communicator.")
            .RequirePermission(Permission.Manage(SecuredObject.Communicators));
        api.MapPost("/{id:guid}/test", TestAsync).WithName("TestCommunicator").WithSummary("Test a communicator")
            .WithDescription("Connects, logs in and tries the target now: 200 {succeeded, error, failure (Dns, Refused, Tls, Credentials, Timeout, Protocol, Unavailable, Other), elapsedMs}. " +
                             "For a mail server, {\"to\":\"me@example.com\"} also sends a test mail.")
            .RequirePermission(Permission.Manage(SecuredObject.Communicators));
        return app;
    }

    private static async Task<Ok<IReadOnlyList<CommunicatorDto>>> ListAsync(CommunicatorService communicators, CancellationToken ct) =>
        TypedResults.Ok(await communicators.ListAsync(ct));

    private static async Task<Results<Ok<CommunicatorDto>, ProblemHttpResult>> GetAsync(Guid id, CommunicatorService communicators, CancellationToken ct) =>
        await communicators.FindAsync(id, ct) is { } found ? TypedResults.Ok(found) : NotFoundProblem.Communicator(id);

    private static async Task<Results<Created<CreatedIdResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpContext context, CommunicatorService communicators, CommunicatorKinds kinds, CancellationToken ct)
    {
        if (await BodyAsync(context, ct) is not { } body) return NotAnObject();
        var (request, errors) = CommunicatorRequestReader.Read(body, null, kinds.All);
        if (request is null) return TypedResults.ValidationProblem(errors);
        return ChangeResponses.Created(await communicators.CreateAsync(request, ct), "/api/v1/communicators", () => NotFoundProblem.Communicator(Guid.Empty));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, HttpContext context, CommunicatorService communicators, CommunicatorKinds kinds, CancellationToken ct)
    {
        if (await communicators.FindAsync(id, ct) is not { } existing) return NotFoundProblem.Communicator(id);
        if (await BodyAsync(context, ct) is not { } body) return NotAnObject();
        var (request, errors) = CommunicatorRequestReader.Read(body, existing.Kind, kinds.All);
        if (request is null) return TypedResults.ValidationProblem(errors);
        return ChangeResponses.NoContent(await communicators.UpdateAsync(id, request, ct), () => NotFoundProblem.Communicator(id));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(Guid id, CommunicatorService communicators, CancellationToken ct) =>
        ChangeResponses.NoContent(await communicators.DeleteAsync(id, ct), () => NotFoundProblem.Communicator(id));

    private static async Task<Results<Ok<ConnectionTestResult>, ValidationProblem, ProblemHttpResult>> TestAsync(
        Guid id, HttpContext context, CommunicatorService communicators, CancellationToken ct)
    {
        string? to = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            if (await BodyAsync(context, ct) is not { } body) return NotAnObject();
            if (body["to"] is { } toNode)
            {
                if (toNode.GetValueKind() != JsonValueKind.String) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["to is an e-mail address."] });
                to = toNode.GetValue<string>();
            }
        }

        return await communicators.TestAsync(id, to, ct) is { } result ? TypedResults.Ok(result) : NotFoundProblem.Communicator(id);
    }

    private static async Task<JsonObject?> BodyAsync(HttpContext context, CancellationToken ct)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: ct) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ValidationProblem NotAnObject() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send a JSON object: {\"name\", \"kind\", and the kind's settings}."] });
}
