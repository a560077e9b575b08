using IoTRoutes.Core;
using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public static class BrokersApi
{
    public static IEndpointRouteBuilder MapBrokersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/brokers").WithTags("Brokers").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListBrokers").WithSummary("List brokers").WithDescription("Brokers with their live status.")
            .RequirePermission(Permission.View(SecuredObject.Brokers));
        api.MapGet("/{id:guid}", GetAsync).WithName("GetBroker").WithSummary("Get a broker")
            .WithDescription("One broker with its settings and live status.").RequirePermission(Permission.View(SecuredObject.Brokers));
        api.MapGet("/{id:guid}/clients", ListClientsAsync).WithName("ListBrokerClients").WithSummary("List a broker's clients")
            .WithDescription("Clients connected to the broker now.")
            .RequirePermission(Permission.View(SecuredObject.Brokers));
        api.MapPost("/", CreateAsync).WithName("CreateBroker").WithSummary("Create a broker")
            .WithDescription("Create a broker; it is created disabled.")
            .RequirePermission(Permission.Manage(SecuredObject.Brokers));
        api.MapPut("/{id:guid}", UpdateAsync).WithName("UpdateBroker").WithSummary("Change a broker")
            .WithDescription("Change a broker; omitted fields keep their value. A running broker restarts with the new settings.")
            .RequirePermission(Permission.Manage(SecuredObject.Brokers));
        api.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteBroker").WithSummary("Delete a broker").WithDescription("Delete a disabled broker.")
            .RequirePermission(Permission.Manage(SecuredObject.Brokers));
        api.MapPost("/{id:guid}/enable", EnableAsync).WithName("EnableBroker").WithSummary("Enable a broker")
            .WithDescription("Start the broker now and at every start; 409 if a port is in use.")
            .RequirePermission(Permission.Of(SecuredActions.BrokersActivate));
        api.MapPost("/{id:guid}/disable", DisableAsync).WithName("DisableBroker").WithSummary("Disable a broker")
            .WithDescription("Stop the broker now and at every start.")
            .RequirePermission(Permission.Of(SecuredActions.BrokersActivate));
        return app;
    }

    private static async Task<Ok<IReadOnlyList<BrokerDto>>> ListAsync(BrokerService brokers, CancellationToken ct) =>
        TypedResults.Ok(await brokers.ListAsync(ct));

    private static async Task<Results<Ok<BrokerDto>, ProblemHttpResult>> GetAsync(Guid id, BrokerService brokers, CancellationToken ct) =>
        await brokers.FindAsync(id, ct) is { } broker ? TypedResults.Ok(broker) : NotFoundProblem.Broker(id);

    private static async Task<Results<Ok<IReadOnlyList<BrokerClientDto>>, ProblemHttpResult>> ListClientsAsync(Guid id, BrokerService brokers, CancellationToken ct) =>
        await brokers.ListClientsAsync(id, ct) is { } clients ? TypedResults.Ok(clients) : NotFoundProblem.Broker(id);

    private static async Task<Results<Created<CreatedIdResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        BrokerRequest request, BrokerService brokers, CancellationToken ct) =>
        ChangeResponses.Created(await brokers.CreateAsync(request, ct), "/api/v1/brokers", () => NotFoundProblem.Broker(Guid.Empty));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, BrokerRequest request, BrokerService brokers, CancellationToken ct) =>
        ChangeResponses.NoContent(await brokers.UpdateAsync(id, request, ct), () => NotFoundProblem.Broker(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(Guid id, BrokerService brokers, CancellationToken ct) =>
        ChangeResponses.NoContent(await brokers.DeleteAsync(id, ct), () => NotFoundProblem.Broker(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> EnableAsync(Guid id, BrokerService brokers, CancellationToken ct) =>
        ChangeResponses.NoContent(await brokers.EnableAsync(id, ct), () => NotFoundProblem.Broker(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DisableAsync(Guid id, BrokerService brokers, CancellationToken ct) =>
        ChangeResponses.NoContent(await brokers.DisableAsync(id, ct), () => NotFoundProblem.Broker(id));
}
