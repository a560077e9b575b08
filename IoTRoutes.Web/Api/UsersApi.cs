using IoTRoutes.Core;
using IoTRoutes.Core.Security;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public sealed record ResetPasswordRequest(string? Password);

public static class UsersApi
{
    private static readonly Permission View = Permission.View(SecuredObject.Users);
    private static readonly Permission Manage = Permission.Manage(SecuredObject.Users);

    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/users").WithTags("Users").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListUsers").WithSummary("List users")
            .WithDescription("The users of the caller's entity and below.").RequirePermission(View);
        api.MapGet("/{id:guid}", GetAsync).WithName("GetUser").WithSummary("Get a user")
            .WithDescription("One user of the caller's entity or below, with its entity and roles.").RequirePermission(View);
        api.MapPost("/", CreateAsync).WithName("CreateUser").WithSummary("Create a user")
            .WithDescription("Create a user; entityId defaults to the caller's entity; roles by name, e.g. [\"Client\"].")
            .RequirePermission(Manage);
        api.MapPut("/{id:guid}", UpdateAsync).WithName("UpdateUser").WithSummary("Change a user")
            .WithDescription("Change a user's entity, roles or disabled flag; fields left out stay as they are.")
            .RequirePermission(Manage);
        api.MapPost("/{id:guid}/reset-password", ResetPasswordAsync).WithName("ResetUserPassword").WithSummary("Reset a user's password")
            .WithDescription("Set a password the user must change at next sign-in; ends its sessions.")
            .RequirePermission(Permission.Of(SecuredActions.UsersResetPassword));
        return app;
    }

    private static async Task<Ok<IReadOnlyList<UserDto>>> ListAsync(UserService users, CancellationToken ct) => TypedResults.Ok(await users.ListAsync(ct));

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> GetAsync(Guid id, UserService users, CancellationToken ct) =>
        await users.FindAsync(id, ct) is { } user ? TypedResults.Ok(user) : NotFoundProblem.User(id);

    private static async Task<Results<Created<CreatedIdResponse>, ValidationProblem>> CreateAsync(CreateUserRequest request, UserService users, CancellationToken ct)
    {
        var result = await users.CreateAsync(request, ct);
        return result.Outcome == ChangeOutcome.Done
            ? TypedResults.Created($"/api/v1/users/{result.Id}", new CreatedIdResponse(result.Id!.Value))
            : TypedResults.ValidationProblem(result.Errors!);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateUserRequest request, UserService users, CancellationToken ct) => ChangeResponses.NoContent(await users.UpdateAsync(id, request, ct), () => NotFoundProblem.User(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ResetPasswordAsync(
        Guid id, ResetPasswordRequest request, UserService users, CancellationToken ct) => ChangeResponses.NoContent(await users.ResetPasswordAsync(id, request.Password, ct), () => NotFoundProblem.User(id));

}
