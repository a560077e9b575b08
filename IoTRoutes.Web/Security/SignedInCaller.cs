using System.Security.Claims;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Web.Security;

/// <summary>
/// Whoever this request or Blazor circuit belongs to: the signed-in user's entity scope and permissions.
/// Read once per HTTP request, but on every call in a Blazor circuit, so that disabling, demoting, moving or
/// resetting a user takes effect in its open tabs at its next action. No signed-in, enabled user with a
/// current session means no scope and no permission, never the whole tree.
/// </summary>
internal sealed class SignedInCaller(
    IHttpContextAccessor http,
    AuthenticationStateProvider authenticationState,
    IDbContextFactory<AppDbContext> contexts,
    PermissionResolver permissions) : ICallerProvider
{
    private Caller? _caller;

    public async ValueTask<Caller> GetCallerAsync(CancellationToken ct)
    {
        if (_caller is not null)
        {
            return _caller;
        }

        var user = await PrincipalAsync();
        if (UserIdOf(user) is not { } userId)
        {
            return Caller.Anonymous;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var account = await db.Users.Where(u => u.Id == userId)
            .Select(u => new { u.EntityId, u.Entity!.Path, u.IsDisabled, u.SecurityStamp })
            .SingleOrDefaultAsync(ct);
        var stamp = user.FindFirstValue(WebSecurityExtensions.SecurityStampClaim);
        var caller = account is null || account.IsDisabled || (stamp is not null && stamp != account.SecurityStamp)
            ? Caller.Anonymous
            : new Caller(userId, new EntityScope(account.EntityId, account.Path), await permissions.ForUserAsync(userId, ct),
                http.HttpContext?.Connection.RemoteIpAddress?.ToString());
        if (IsHttpRequest)
        {
            _caller = caller;
        }

        return caller;
    }

    /// <summary>The user id of a cookie (name identifier) or bearer token (sub) principal.</summary>
    public static Guid? UserIdOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true
        && Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub"), out var id)
            ? id
            : null;

    private bool IsHttpRequest => http.HttpContext is { } context && !context.Request.Path.StartsWithSegments("/_blazor");

    private async Task<ClaimsPrincipal> PrincipalAsync()
    {
        // A Blazor circuit has no reliable HttpContext; an API request has no circuit authentication state.
        if (IsHttpRequest)
        {
            return http.HttpContext!.User;
        }

        return (await authenticationState.GetAuthenticationStateAsync()).User;
    }
}
