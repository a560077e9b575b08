using IoTRoutes.Core;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public sealed record CopyRoleRequest(string? Name);

public static class RolesApi
{
    private static readonly Permission View = Permission.View(SecuredObject.Roles);
    private static readonly Permission Manage = Permission.Manage(SecuredObject.Roles);

    public static IEndpointRouteBuilder MapRolesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/roles").WithTags("Roles").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListRoles").WithSummary("List roles")
            .WithDescription("Roles with their grants and named actions, the built-in Administrator, Operator and Client included.")
            .RequirePermission(View);
        api.MapGet("/{id:guid}", GetAsync).WithName("GetRole").WithSummary("Get a role")
            .WithDescription("One role with its grants and named actions.").RequirePermission(View);
        api.MapPost("/", CreateAsync).WithName("CreateRole").WithSummary("Create a role")
            .WithDescription("Create a role: grants map objects to None, View or Manage; actions are names such as Devices.SendCommand.")
            .RequirePermission(Manage);
        api.MapPost("/{id:guid}/copy", CopyAsync).WithName("CopyRole").WithSummary("Copy a role")
            .WithDescription("A new role {name} with the grants and actions of this one.").RequirePermission(Manage);
        api.MapPut("/{id:guid}", UpdateAsync).WithName("UpdateRole").WithSummary("Change a role")
            .WithDescription("Replace a role's name, grants and actions.").RequirePermission(Manage);
        api.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteRole").WithSummary("Delete a role")
            .WithDescription("Delete a role no user has; built-in roles cannot be deleted.").RequirePermission(Manage);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<RoleDto>>> ListAsync(RoleService roles, CancellationToken ct) => TypedResults.Ok(await roles.ListAsync(ct));

    private static async Task<Results<Ok<RoleDto>, ProblemHttpResult>> GetAsync(Guid id, RoleService roles, CancellationToken ct) =>
        await roles.FindAsync(id, ct) is { } role ? TypedResults.Ok(role) : NotFoundProblem.Role(id);

    private static async Task<Results<Created<CreatedIdResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        SaveRoleRequest request, RoleService roles, CancellationToken ct) => ChangeResponses.Created(await roles.CreateAsync(request, ct), "/api/v1/roles", () => NotFoundProblem.Role(Guid.Empty));

    private static async Task<Results<Created<CreatedIdResponse>, ValidationProblem, ProblemHttpResult>> CopyAsync(
        Guid id, CopyRoleRequest request, RoleService roles, CancellationToken ct) => ChangeResponses.Created(await roles.CopyAsync(id, request.Name, ct), "/api/v1/roles", () => NotFoundProblem.Role(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, SaveRoleRequest request, RoleService roles, CancellationToken ct) => ChangeResponses.NoContent(await roles.UpdateAsync(id, request, ct), () => NotFoundProblem.Role(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(Guid id, RoleService roles, CancellationToken ct) =>
        ChangeResponses.NoContent(await roles.DeleteAsync(id, ct), () => NotFoundProblem.Role(id));

}
