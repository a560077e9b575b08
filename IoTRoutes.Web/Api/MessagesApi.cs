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
        return app;
    }

    private static async Task<Ok<MessageStatsDto>> StatsAsync(MessageQueryService messages, CancellationToken ct) =>
        TypedResults.Ok(await messages.StatsAsync(ct));
}
