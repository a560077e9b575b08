using IoTRoutes.Core.Entities;

namespace IoTRoutes.Tests.Infrastructure;

/// <summary>A caller fixed to one part of the entity tree (the root, unless said otherwise).</summary>
public sealed class FixedScope(EntityScope scope) : IEntityScopeProvider
{
    public static readonly EntityScope Root = new(RootEntity.Id, RootEntity.Path);

    public FixedScope() : this(Root)
    {
    }

    public ValueTask<EntityScope> GetScopeAsync(CancellationToken ct) => ValueTask.FromResult(scope);
}
