using System.Security.Claims;
using IoTRoutes.Core.Security;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Web.Security;

/// <summary>A route or page needs this permission.</summary>
public sealed class PermissionRequirement(Permission permission) : IAuthorizationRequirement
{
    public Permission Permission { get; } = permission;
}

/// <summary>Endpoint metadata naming the one permission a route is bound to (read by the endpoint audit test).</summary>
public sealed record PermissionMetadata(Permission Permission);

/// <summary>Builds the <c>perm:…</c> policies on demand, so pages can say <c>[Authorize(Policy = "perm:Devices.View")]</c>.</summary>
internal sealed class PermissionPolicyProvider(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options)
{
    public override async Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
    {
        if (policyName.StartsWith(Permission.PolicyPrefix, StringComparison.Ordinal)
            && Permission.Parse(policyName[Permission.PolicyPrefix.Length..]) is { } permission)
        {
            return new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)).Build();
        }

        return await base.GetPolicyAsync(policyName);
    }
}

/// <summary>
/// Grants a permission requirement from the user's roles, read from the database so that role changes apply at
/// once; a disabled user, or a browser session whose security stamp is old, is granted nothing.
/// </summary>
internal sealed class PermissionHandler(PermissionResolver resolver, UserAccountService accounts) : AuthorizationHandler<PermissionRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (SignedInCaller.UserIdOf(context.User) is { } userId
            && await accounts.IsActiveAsync(userId, context.User.FindFirstValue(WebSecurityExtensions.SecurityStampClaim), CancellationToken.None)
            && (await resolver.ForUserAsync(userId, CancellationToken.None)).Allows(requirement.Permission))
        {
            context.Succeed(requirement);
        }
    }
}

public static class PermissionEndpointExtensions
{
    /// <summary>Binds a route to the one permission it needs.</summary>
    public static RouteHandlerBuilder RequirePermission(this RouteHandlerBuilder route, Permission permission) =>
        route.RequireAuthorization(permission.PolicyName).WithMetadata(new PermissionMetadata(permission));
}
