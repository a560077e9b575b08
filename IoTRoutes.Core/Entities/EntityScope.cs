namespace IoTRoutes.Core.Entities;

/// <summary>The part of the entity tree a caller may see: one entity and its descendants.</summary>
public sealed record EntityScope(Guid EntityId, string Path)
{
    /// <summary>The whole tree: for the platform's own background work (brokers, intake), never for a user.</summary>
    public static readonly EntityScope Everything = new(RootEntity.Id, "/");

    /// <summary>Matches nothing: what an unauthenticated caller gets, so a missing sign-in can never leak data.</summary>
    public static readonly EntityScope Nothing = new(Guid.Empty, "/none/");
}

/// <summary>Tells Core services whose request they are serving. Web implements it from the signed-in user.</summary>
public interface IEntityScopeProvider
{
    ValueTask<EntityScope> GetScopeAsync(CancellationToken ct);
}
