using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public static class AuditApi
{
    private static readonly Permission View = Permission.View(SecuredObject.AuditLog);

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/audit").WithTags("Audit log").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListAuditEntries").WithSummary("List audit entries")
            .WithDescription("Audit entries of the caller's entity and below, newest first; filter by user (part of the e-mail), action, from, to.")
            .RequirePermission(View);
        api.MapGet("/export", ExportAsync).WithName("ExportAuditEntries").WithSummary("Export audit entries as CSV")
            .WithDescription("The entries the list shows, with the same filters, as a CSV file.").RequirePermission(View);

        // The page's "Export CSV" link: same service, browser cookie instead of a bearer token.
        app.MapGet("/audit/export.csv", ExportAsync).RequireAuthorization(Policies.AuditLogView).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<AuditEntryDto>>, ValidationProblem>> ListAsync(
        string? user, string? action, DateTimeOffset? from, DateTimeOffset? to, int? limit, AuditLogService audit, CancellationToken ct)
    {
        var query = new AuditQuery(user, action, from, to, limit ?? 200);
        return query.Validate() is { } errors ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(await audit.QueryAsync(query, ct));
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem>> ExportAsync(
        string? user, string? action, DateTimeOffset? from, DateTimeOffset? to, int? limit, AuditLogService audit, TimeProvider clock, CancellationToken ct)
    {
        var query = new AuditQuery(user, action, from, to, limit ?? AuditQuery.MaxLimit);
        if (query.Validate() is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var csv = await audit.ExportCsvAsync(query, ct);
        return TypedResults.File(System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(csv)).ToArray(),
            "text/csv", $"iotroutes-audit-{clock.GetUtcNow():yyyyMMdd-HHmmss}.csv");
    }
}
