using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Security;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Web.Security;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Security;

public sealed class PermissionTests : IAsyncLifetime
{
    private SqliteContexts _db = null!;

    public async Task InitializeAsync() => _db = await SqliteContexts.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task With_several_roles_the_most_permissive_wins_for_each_object()
    {
        var userId = await AddUserAsync(BuiltInRoles.ClientId, BuiltInRoles.OperatorId);

        var permissions = await new PermissionResolver(_db).ForUserAsync(userId, default);

        Assert.Equal(AccessLevel.Manage, permissions.LevelOf(SecuredObject.Devices)); // Operator over Client's View
        Assert.Equal(AccessLevel.View, permissions.LevelOf(SecuredObject.Messages));
        Assert.Equal(AccessLevel.None, permissions.LevelOf(SecuredObject.Users));
        Assert.True(permissions.Allows(Permission.Of(SecuredActions.JobsRunNow)));
        Assert.False(permissions.Allows(Permission.Of(SecuredActions.UsersResetPassword)));
    }

    [Fact]
    public async Task A_user_without_roles_may_do_nothing()
    {
        var permissions = await new PermissionResolver(_db).ForUserAsync(await AddUserAsync(), default);
        Assert.All(Enum.GetValues<SecuredObject>(), o => Assert.Equal(AccessLevel.None, permissions.LevelOf(o)));
    }

    [Fact]
    public async Task The_administrator_role_grants_every_object_and_action()
    {
        var permissions = await new PermissionResolver(_db).ForUserAsync(await AddUserAsync(BuiltInRoles.AdministratorId), default);
        Assert.All(Enum.GetValues<SecuredObject>(), o => Assert.True(permissions.Allows(Permission.Manage(o))));
        Assert.All(SecuredActions.All, a => Assert.True(permissions.Allows(Permission.Of(a))));
    }

    [Fact]
    public async Task A_core_service_refuses_what_the_callers_permissions_do_not_allow()
    {
        var viewOnly = new EffectivePermissions(new Dictionary<SecuredObject, AccessLevel> { [SecuredObject.Devices] = AccessLevel.View }, new HashSet<string>());
        var devices = new DeviceService(_db.Scoped(permissions: viewOnly), new FakeTimeProvider(), new IoTRoutes.Core.Security.Audit.AuditTrail(_db, TimeProvider.System), new NoDeviceConnections(), new IoTRoutes.Core.Messaging.Lifecycle.OrphanSweepSignal(), _db.Profiles(_db.Scoped(), TimeProvider.System));

        Assert.Empty(await devices.ListAsync(default));
        var denied = await Assert.ThrowsAsync<PermissionDeniedException>(() => devices.CreateAsync(new CreateDeviceRequest("nope"), default));
        Assert.Equal("Devices.Manage", denied.Permission.ToString());
    }

    [Theory]
    [InlineData(Policies.DevicesView)]
    [InlineData(Policies.DevicesManage)]
    [InlineData(Policies.MessagesView)]
    [InlineData(Policies.EntitiesView)]
    [InlineData(Policies.EntitiesManage)]
    public void Every_page_policy_names_a_real_permission(string policy)
    {
        Assert.StartsWith(Permission.PolicyPrefix, policy);
        var permission = Permission.Parse(policy[Permission.PolicyPrefix.Length..]);
        Assert.NotNull(permission);
        Assert.Equal(policy, permission.PolicyName);
    }

    [Theory]
    [InlineData("Devices.None")]
    [InlineData("Gadgets.View")]
    [InlineData("Devices.Explode")]
    [InlineData("")]
    public void Unknown_permissions_do_not_parse(string text) => Assert.Null(Permission.Parse(text));

    private async Task<Guid> AddUserAsync(params Guid[] roles)
    {
        await using var db = _db.CreateDbContext();
        var user = new User
        {
            Id = Guid.CreateVersion7(), Email = $"{Guid.NewGuid():N}@x", NormalizedEmail = $"{Guid.NewGuid():N}@X", PasswordHash = "x",
            EntityId = IoTRoutes.Core.Entities.RootEntity.Id,
        };
        db.Users.Add(user);
        db.UserRoles.AddRange(roles.Select(r => new UserRole { UserId = user.Id, RoleId = r }));
        await db.SaveChangesAsync();
        return user.Id;
    }
}
