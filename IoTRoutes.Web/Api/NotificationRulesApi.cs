using IoTRoutes.Core.Communicators.Notifications;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public static class NotificationRulesApi
{
    public static IEndpointRouteBuilder MapNotificationRulesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/notification-rules").WithTags("Communicators").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListNotificationRules").WithSummary("List notification rules")
            .WithDescription("Rules that notify through a communicator when an alert is raised, acknowledged or cleared.")
            .RequirePermission(Permission.View(SecuredObject.Communicators));
        api.MapGet("/{id:guid}", GetAsync).WithName("GetNotificationRule").WithSummary("Get a notification rule")
            .WithDescription("One rule with its events, alert filter, communicator, recipients and templates.")
            .RequirePermission(Permission.View(SecuredObject.Communicators));
        api.MapPost("/", CreateAsync).WithName("CreateNotificationRule").WithSummary("Create a notification rule")
            .WithDescription("{name, events: [Raised, Acknowledged, Cleared] (default Raised), alertTypes: [] (any), minSeverity (Critical, Major, Minor, " +
                             "Warning, Indeterminate; none: any), deviceIds: [] (every device of the rule's entity and below), communicatorId (mail, HTTP or " +
                             "MQTT bridge), recipients (mail addresses, comma-separated; the HTTP path; the MQTT topic), subjectTemplate, bodyTemplate " +
                             "(Liquid with alert.type, alert.severity, alert.message, alert.event, alert.at, device.name, device.key...)}")
            .RequirePermission(Permission.Manage(SecuredObject.Communicators));
        api.MapPut("/{id:guid}", UpdateAsync).WithName("UpdateNotificationRule").WithSummary("Change a notification rule")
            .WithDescription("Replace the rule's settings; the body is as on create.")
            .RequirePermission(Permission.Manage(SecuredObject.Communicators));
        api.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteNotificationRule").WithSummary("Delete a notification rule")
            .WithDescription("Delete the rule; it notifies no more.")
            .RequirePermission(Permission.Manage(SecuredObject.Communicators));
        app.MapGet("/api/v1/alerts/{id:guid}/notifications", OfAlertAsync).WithTags("Alerts").WithName("ListAlertNotifications").WithSummary("List an alert's notifications")
            .WithDescription("Newest first: rule, event, channel, recipients, status (Pending, Sent, Failed), attempts, when, error.")
            .RequireAuthorization(WebSecurityExtensions.ApiPolicy).RequirePermission(Permission.View(SecuredObject.Alerts));
        return app;
    }

    private static async Task<Ok<IReadOnlyList<NotificationRuleDto>>> ListAsync(NotificationRuleService rules, CancellationToken ct) =>
        TypedResults.Ok(await rules.ListAsync(ct));

    private static async Task<Results<Ok<NotificationRuleDto>, ProblemHttpResult>> GetAsync(Guid id, NotificationRuleService rules, CancellationToken ct) =>
        await rules.FindAsync(id, ct) is { } rule ? TypedResults.Ok(rule) : NotFoundProblem.NotificationRule(id);

    private static async Task<Results<Created<CreatedIdResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        NotificationRuleRequest request, NotificationRuleService rules, CancellationToken ct) =>
        ChangeResponses.Created(await rules.CreateAsync(request, ct), "/api/v1/notification-rules", () => NotFoundProblem.NotificationRule(Guid.Empty));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, NotificationRuleRequest request, NotificationRuleService rules, CancellationToken ct) =>
        ChangeResponses.NoContent(await rules.UpdateAsync(id, request, ct), () => NotFoundProblem.NotificationRule(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(Guid id, NotificationRuleService rules, CancellationToken ct) =>
        ChangeResponses.NoContent(await rules.DeleteAsync(id, ct), () => NotFoundProblem.NotificationRule(id));

    private static async Task<Results<Ok<IReadOnlyList<NotificationDto>>, ProblemHttpResult>> OfAlertAsync(Guid id, NotificationRuleService rules, CancellationToken ct) =>
        await rules.OfAlertAsync(id, ct) is { } sent ? TypedResults.Ok(sent) : NotFoundProblem.Alert(id);
}
