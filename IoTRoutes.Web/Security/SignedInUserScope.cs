using System.Security.Claims;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Storage;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IoTRoutes.Web.Security;

/// <summary>
/// The entity scope of whoever this request or Blazor circuit belongs to: the signed-in user's entity and below.
/// No signed-in user means an empty scope, never the whole tree.
/// </summary>
internal sealed class SignedInUserScope(
    IHttpContextAccessor http,
    AuthenticationStateProvider authenticationState,
    IDbContextFactory<AppDbContext> contexts) : IEntityScopeProvider
{
    private EntityScope? _scope;

    public async ValueTask<EntityScope> GetScopeAsync(CancellationToken ct)
    {
        if (_scope is not null)
        {
            return _scope;
        }

        var user = await PrincipalAsync();
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue(JwtRegisteredClaimNames.Sub);
        if (user.Identity?.IsAuthenticated != true || !Guid.TryParse(id, out var userId))
        {
            return EntityScope.Nothing;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var entity = await db.Users.Where(u => u.Id == userId)
            .Select(u => new { u.EntityId, u.Entity!.Path })
            .SingleOrDefaultAsync(ct);
        _scope = entity is null ? EntityScope.Nothing : new EntityScope(entity.EntityId, entity.Path);
        return _scope;
    }

    private async Task<ClaimsPrincipal> PrincipalAsync()
    {
        // A Blazor circuit has no reliable HttpContext; an API request has no circuit authentication state.
        if (http.HttpContext is { } context && !IsCircuit(context))
        {
            return context.User;
        }

        return (await authenticationState.GetAuthenticationStateAsync()).User;
    }

    private static bool IsCircuit(HttpContext context) => context.Request.Path.StartsWithSegments("/_blazor");
}
