namespace IoTRoutes.Core.Entities;

/// <summary>The part of the entity tree a caller may see: one entity and its descendants.</summary>
public sealed record EntityScope(Guid EntityId, string Path)
{
    /// <summary>The whole tree: for the platform's own background work (brokers, intake), never for a user.</summary>
    public static readonly EntityScope Everything = new(RootEntity.Id, "/");

    /// <summary>Matches nothing: what an unauthenticated caller gets, so a missing sign-in can never leak data.</summary>
    public static readonly EntityScope Nothing = new(Guid.Empty, "/none/");
}

/// <summary>Who a Core service is serving: the user, the part of the entity tree it sees, and what it may do.</summary>
public sealed record Caller(Guid? UserId, EntityScope Scope, Security.Permissions.EffectivePermissions Permissions, string? From = null)
{
    public static readonly Caller Anonymous = new(null, EntityScope.Nothing, Security.Permissions.EffectivePermissions.None);
}

/// <summary>Tells Core services whose request they are serving. Web implements it from the signed-in user.</summary>
public interface ICallerProvider
{
    ValueTask<Caller> GetCallerAsync(CancellationToken ct);
}
