using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public static class MessagesApi
{
    public static IEndpointRouteBuilder MapMessagesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/messages").WithTags("Messages").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/stats", StatsAsync).WithName("GetMessageStats")
            .WithSummary("Counts: received (every message kept), processed, rejected")
            .RequirePermission(Permission.View(SecuredObject.Messages));
        api.MapPost("/reprocess", ReprocessAsync).WithName("ReprocessMessages")
            .WithSummary("Decode messages again with their device's current profile (messageIds, or a deviceId's rejected ones from/to); updated in place")
            .RequirePermission(Permission.Manage(SecuredObject.Messages));
        return app;
    }

    private static async Task<Results<Ok<IoTRoutes.Core.Messaging.Pipeline.ReprocessResult>, ValidationProblem>> ReprocessAsync(
        IoTRoutes.Core.Messaging.Pipeline.ReprocessRequest request, IoTRoutes.Core.Messaging.Pipeline.MessageReprocessing reprocessing, CancellationToken ct)
    {
        var (result, errors) = await reprocessing.ReprocessAsync(request, ct);
        return result is not null ? TypedResults.Ok(result) : TypedResults.ValidationProblem(errors!);
    }

    private static async Task<Ok<MessageStatsDto>> StatsAsync(MessageQueryService messages, CancellationToken ct) =>
        TypedResults.Ok(await messages.StatsAsync(ct));
}
