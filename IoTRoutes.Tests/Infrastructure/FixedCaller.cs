using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;

namespace IoTRoutes.Tests.Infrastructure;

/// <summary>A caller fixed to one part of the entity tree (the root unless said otherwise), with every permission unless said otherwise.</summary>
public sealed class FixedCaller(EntityScope scope, EffectivePermissions? permissions = null) : ICallerProvider
{
    public static readonly EntityScope Root = new(RootEntity.Id, RootEntity.Path);

    public static readonly EffectivePermissions Everything = new(
        Enum.GetValues<SecuredObject>().ToDictionary(o => o, _ => AccessLevel.Manage),
        SecuredActions.All.Select(a => a.Key).ToHashSet());

    public FixedCaller() : this(Root)
    {
    }

    public ValueTask<Caller> GetCallerAsync(CancellationToken ct) =>
        ValueTask.FromResult(new Caller(Guid.Empty, scope, permissions ?? Everything));
}
