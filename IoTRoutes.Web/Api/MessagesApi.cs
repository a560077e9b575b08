using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Explorer;
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
        api.MapGet("", ListAsync).WithName("ListMessages").WithSummary("Search messages")
            .WithDescription("Stored messages, newest first, filtered by deviceId, entityId (and the entities below it), profileId, topic " +
                             "(an MQTT filter: + one level, # the rest), state, reason (part of the rejection reason, any case), a decoded field " +
                             "condition (field, op: eq, ne, gt, ge, lt, le, contains, exists; value), from and to (ISO 8601); " +
                             $"limit 1-{MessageExplorerQuery.MaxLimit}, default {MessageExplorerQuery.DefaultLimit}. The next page with cursor=nextCursor; " +
                             "nextCursor is null on the last page. A page may hold fewer than limit messages while more follow.")
            .RequirePermission(Permission.View(SecuredObject.Messages));
        api.MapGet("/export", ExportAsync).WithName("ExportMessages").WithSummary("Export messages")
            .WithDescription("Every message matching the same filters as Search messages, newest first, streamed as CSV " +
                             "(format=csv, the default) or as a JSON array (format=json). Each export is written to the audit log.")
            .RequirePermission(Permission.Of(SecuredActions.MessagesExport));
        api.MapGet("/{id:guid}", GetAsync).WithName("GetMessage").WithSummary("Get a message")
            .WithDescription("One message with its decoded fields, rejection reason and details, the name of its format, and rawPayload: the " +
                             "payload's bytes as stored (base64), which payload gives as UTF-8 text.")
            .RequirePermission(Permission.View(SecuredObject.Messages));
        api.MapGet("/{id:guid}/payload", PayloadAsync).WithName("DownloadMessagePayload").WithSummary("Download a message's payload")
            .WithDescription("The payload's bytes exactly as the device sent them (application/octet-stream).")
            .RequirePermission(Permission.View(SecuredObject.Messages));
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

        // The Messages page's export and payload links: same services, browser cookie instead of a bearer token.
        app.MapGet("/messages/export", ExportAsync).RequireAuthorization(Policies.MessagesExport).ExcludeFromDescription();
        app.MapGet("/messages/{id:guid}/payload", PayloadAsync).RequireAuthorization(Policies.MessagesView).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<MessageDetailDto>, ProblemHttpResult>> GetAsync(Guid id, MessageQueryService messages, CancellationToken ct) =>
        await messages.FindAsync(id, ct) is { } message ? TypedResults.Ok(message) : NotFoundProblem.Message(id);

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> PayloadAsync(Guid id, MessageQueryService messages, CancellationToken ct) =>
        await messages.FindAsync(id, ct) is { } message
            ? TypedResults.File(message.RawPayload, "application/octet-stream", $"{id}.bin")
            : NotFoundProblem.Message(id);

    private static async Task<Results<Ok<MessagePage>, ValidationProblem>> ListAsync(
        [AsParameters] FilterParameters filter, string? cursor, string? limit, MessageExplorer explorer, CancellationToken ct)
    {
        var (query, errors) = MessageExplorerQuery.Parse(filter.ToText(), cursor, limit);
        if (query is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (page, notFound) = await explorer.PageAsync(query, ct);
        return page is not null ? TypedResults.Ok(page) : TypedResults.ValidationProblem(notFound!);
    }

    private static async Task<Results<PushStreamHttpResult, ValidationProblem>> ExportAsync(
        [AsParameters] FilterParameters filter, string? format, MessageExport export, CancellationToken ct)
    {
        var (parsed, errors) = filter.ToText().Parse();
        var kind = ExportFormat.Csv;
        if (!string.IsNullOrEmpty(format) && (!Enum.TryParse(format, ignoreCase: true, out kind) || !Enum.IsDefined(kind) || int.TryParse(format, out _)))
        {
            errors["format"] = ["format is csv or json."];
        }

        if (parsed is null || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (write, notFound) = await export.StartAsync(parsed, kind, ct);
        if (write is null)
        {
            return TypedResults.ValidationProblem(notFound!);
        }

        var (contentType, extension) = kind == ExportFormat.Csv ? ("text/csv; charset=utf-8", "csv") : ("application/json; charset=utf-8", "json");
        return TypedResults.Stream(stream => write(stream, ct), contentType, $"messages.{extension}");
    }

    /// <summary>The explorer's filter as query parameters, bound as text so that a bad one is a problem naming it.</summary>
    private sealed record FilterParameters(
        string? DeviceId, string? EntityId, string? ProfileId, string? Topic, string? State, string? Reason, string? Field, string? Op, string? Value,
        string? From, string? To)
    {
        public MessageFilterText ToText() => new(DeviceId, EntityId, ProfileId, Topic, State, Reason, Field, Op, Value, From, To);
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
