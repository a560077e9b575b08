using IoTRoutes.Core;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging.Commands;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public static class CommandsApi
{
    public static IEndpointRouteBuilder MapCommandsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/devices/{id:guid}").WithTags("Devices").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapPost("/commands", SendAsync).WithName("SendCommand").WithSummary("Send a command to a device")
            .WithDescription("Send a command {name, payload (any JSON), expiresInSeconds}: published now if the device is connected, else kept pending until it expires.")
            .RequirePermission(Permission.Of(SecuredActions.DevicesSendCommand));
        api.MapGet("/commands", ListAsync).WithName("ListCommands").WithSummary("List a device's commands")
            .WithDescription("The device's commands, newest first (limit 1-500, default 50).")
            .RequirePermission(Permission.View(SecuredObject.Devices));
        api.MapGet("/commands/{commandId:guid}", GetAsync).WithName("GetCommand").WithSummary("Get a command")
            .WithDescription("One command of the device with its status, times and reply.").RequirePermission(Permission.View(SecuredObject.Devices));
        api.MapGet("/connections", ListConnectionsAsync).WithName("ListDeviceConnections").WithSummary("List a device's connections")
            .WithDescription("The device's connections and disconnections, newest first (limit 1-500, default 50).")
            .RequirePermission(Permission.View(SecuredObject.Devices));
        return app;
    }

    private static async Task<Results<Created<CommandDto>, ValidationProblem, ProblemHttpResult>> SendAsync(
        Guid id, SendCommandRequest request, CommandService commands, CancellationToken ct)
    {
        var (command, result) = await commands.SendAsync(id, request, ct);
        return ChangeResponses.Created(result, $"/api/v1/devices/{id}/commands", command, () => NotFoundProblem.Device(id));
    }

    // One rule for every list (as the messages and audit lists): a limit out of range is a 400 with a field error, not clamped.
    private static async Task<Results<Ok<IReadOnlyList<CommandDto>>, ValidationProblem, ProblemHttpResult>> ListAsync(
        Guid id, int? limit, CommandService commands, CancellationToken ct)
    {
        var take = limit ?? CommandService.DefaultListLimit;
        if (QueryWindow.Check(take, CommandService.MaxListLimit, null, null) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await commands.ListAsync(id, take, ct) is { } list ? TypedResults.Ok(list) : NotFoundProblem.Device(id);
    }

    private static async Task<Results<Ok<CommandDto>, ProblemHttpResult>> GetAsync(Guid id, Guid commandId, CommandService commands, CancellationToken ct) =>
        await commands.FindAsync(id, commandId, ct) is { } command ? TypedResults.Ok(command) : NotFoundProblem.Command(commandId);

    private static async Task<Results<Ok<IReadOnlyList<ConnectionEventDto>>, ValidationProblem, ProblemHttpResult>> ListConnectionsAsync(
        Guid id, int? limit, ConnectionHistoryService history, CancellationToken ct)
    {
        var take = limit ?? ConnectionHistoryService.DefaultListLimit;
        if (QueryWindow.Check(take, ConnectionHistoryService.MaxListLimit, null, null) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await history.ListAsync(id, take, ct) is { } list ? TypedResults.Ok(list) : NotFoundProblem.Device(id);
    }
}
