using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Core.Messaging.Rejections;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public static class MessagesApi
{
    public static IEndpointRouteBuilder MapMessagesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/messages").WithTags("Messages").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/stats", StatsAsync).WithName("GetMessageStats").WithSummary("Get message counts")
            .WithDescription("Counts: received (every message kept), processed, rejected.")
            .RequirePermission(Permission.View(SecuredObject.Messages));
        api.MapGet("/rejected", ListRejectedAsync).WithName("ListRejectedMessages").WithSummary("List rejected messages")
            .WithDescription("Rejected messages, newest first (deviceId, formatId, reason: part of it, any case; from, to; " +
                         $"limit 1-{RejectedMessageQuery.MaxLimit}, default {RejectedMessageQuery.DefaultLimit}); the next page with cursor=nextCursor.")
            .RequirePermission(Permission.View(SecuredObject.Messages));
        api.MapGet("/rejected/summary", SummarizeRejectedAsync).WithName("SummarizeRejectedMessages").WithSummary("Summarize rejection reasons")
            .WithDescription($"For the same filter: how many, the {RejectedMessageService.TopReasons} most frequent reasons, the formats and devices among them.")
            .RequirePermission(Permission.View(SecuredObject.Messages));
        api.MapPost("/reprocess", ReprocessAsync).WithName("ReprocessMessages").WithSummary("Reprocess rejected messages")
            .WithDescription("Decode messages again with their device's current profile, updated in place: messageIds, or the rejected ones matching " +
                         $"deviceId, formatId, reason, from, to; oldest first, at most {MessageReprocessing.MaxMessages:N0} (limit), then remaining and continueAfter (pass it as after).")
            .RequirePermission(Permission.Manage(SecuredObject.Messages));
        return app;
    }

    private static async Task<Results<Ok<ReprocessResult>, ValidationProblem>> ReprocessAsync(
        ReprocessRequest request, MessageReprocessing reprocessing, CancellationToken ct)
    {
        var (result, errors) = await reprocessing.ReprocessAsync(request, ct);
        return result is not null ? TypedResults.Ok(result) : TypedResults.ValidationProblem(errors!);
    }

    private static async Task<Results<Ok<RejectedMessagePage>, ValidationProblem>> ListRejectedAsync(
        Guid? deviceId, Guid? formatId, string? reason, DateTimeOffset? from, DateTimeOffset? to, Guid? cursor, int? limit,
        RejectedMessageService rejected, CancellationToken ct)
    {
        var query = new RejectedMessageQuery(new RejectedMessageFilter(deviceId, formatId, reason, from, to), cursor, limit ?? RejectedMessageQuery.DefaultLimit);
        return query.Validate() is { } errors ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(await rejected.ListAsync(query, ct));
    }

    private static async Task<Results<Ok<RejectionSummary>, ValidationProblem>> SummarizeRejectedAsync(
        Guid? deviceId, Guid? formatId, string? reason, DateTimeOffset? from, DateTimeOffset? to, RejectedMessageService rejected, CancellationToken ct)
    {
        var filter = new RejectedMessageFilter(deviceId, formatId, reason, from, to);
        return filter.Validate() is { } errors ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(await rejected.SummarizeAsync(filter, ct));
    }

    private static async Task<Ok<MessageStatsDto>> StatsAsync(MessageQueryService messages, CancellationToken ct) =>
        TypedResults.Ok(await messages.StatsAsync(ct));
}
