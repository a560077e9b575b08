using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/alerts").WithTags("Alerts").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListAlerts").WithSummary("List alerts")
            .WithDescription("Alerts, newest first: state and severity (one or more, comma-separated), deviceId, type (exact), from, to (last raised); " +
                         $"limit 1-{AlertQuery.MaxLimit}, default {AlertQuery.DefaultLimit}; the next page with cursor=nextCursor.")
            .RequirePermission(Permission.View(SecuredObject.Alerts));
        api.MapGet("/{id:guid}", GetAsync).WithName("GetAlert").WithSummary("Get an alert")
            .WithDescription("One alert as in the list; 404 when it is unknown or outside the caller's entity.")
            .RequirePermission(Permission.View(SecuredObject.Alerts));
        api.MapPost("/{id:guid}/acknowledge", AcknowledgeAsync).WithName("AcknowledgeAlert").WithSummary("Acknowledge an alert")
            .WithDescription("Active to Acknowledged; 409 when it is acknowledged or cleared already.")
            .RequirePermission(Permission.Manage(SecuredObject.Alerts));
        api.MapPost("/{id:guid}/clear", ClearAsync).WithName("ClearAlert").WithSummary("Clear an alert")
            .WithDescription("Active or Acknowledged to Cleared; 409 when it is cleared already. The next raise of its type opens a new alert.")
            .RequirePermission(Permission.Manage(SecuredObject.Alerts));
        return app;
    }

    private static async Task<Results<Ok<AlertPage>, ValidationProblem>> ListAsync(
        string? state, string? severity, Guid? deviceId, string? type, DateTimeOffset? from, DateTimeOffset? to, Guid? cursor, int? limit,
        AlertService alerts, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var states = ParseList<AlertState>(state, "state", errors);
        var severities = ParseList<AlertSeverity>(severity, "severity", errors);
        var query = new AlertQuery(states, severities, deviceId, type, from, to, cursor, limit ?? AlertQuery.DefaultLimit);
        foreach (var (field, messages) in query.Validate() ?? new Dictionary<string, string[]>())
        {
            errors[field] = messages;
        }

        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(await alerts.ListAsync(query, ct));
    }

    private static async Task<Results<Ok<AlertDto>, ProblemHttpResult>> GetAsync(Guid id, AlertService alerts, CancellationToken ct) =>
        await alerts.FindAsync(id, ct) is { } alert ? TypedResults.Ok(alert) : NotFoundProblem.Alert(id);

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AcknowledgeAsync(Guid id, AlertService alerts, CancellationToken ct) =>
        ChangeResponses.NoContent(await alerts.AcknowledgeAsync(id, ct), () => NotFoundProblem.Alert(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ClearAsync(Guid id, AlertService alerts, CancellationToken ct) =>
        ChangeResponses.NoContent(await alerts.ClearAsync(id, ct), () => NotFoundProblem.Alert(id));

    /// <summary>Names separated by commas, any case; numbers are refused (they would tie clients to the enum's order).</summary>
    private static List<T>? ParseList<T>(string? text, string field, Dictionary<string, string[]> errors) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var values = new List<T>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!char.IsLetter(part[0]) || !Enum.TryParse<T>(part, ignoreCase: true, out var value) || !Enum.IsDefined(value))
            {
                errors[field] = [$"{field} is one or more of {string.Join(", ", Enum.GetNames<T>())}, separated by commas; '{part}' is not one."];
                return null;
            }

            values.Add(value);
        }

        return values;
    }
}
