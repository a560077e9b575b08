using IoTRoutes.Core;
using IoTRoutes.Core.Entities;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Security.Permissions;

public sealed record RoleDto(
    Guid Id, string Name, string? Description, bool IsBuiltIn,
    IReadOnlyDictionary<SecuredObject, AccessLevel> Grants, IReadOnlyList<string> Actions, int UserCount);

/// <summary>A role's content: a level per object (missing = None) and the actions it allows.</summary>
public sealed record SaveRoleRequest(string? Name, string? Description, Dictionary<SecuredObject, AccessLevel>? Grants, List<string>? Actions);

/// <summary>Roles: list, create, copy, edit the permission matrix, delete.</summary>
public sealed class RoleService(ScopedContexts contexts, Audit.AuditTrail audit)
{
    public const int MaxNameLength = 100;

    public async Task<IReadOnlyList<RoleDto>> ListAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Roles), ct);
        await using var _db = db;
        var roles = await db.Roles.AsNoTracking().Include(r => r.Grants).Include(r => r.Actions).AsSplitQuery().OrderBy(r => r.Name).ToListAsync(ct);
        // Counted among the users the caller can see only: other entities' numbers are not its business.
        var counts = await db.UserRoles.Join(db.Users, ur => ur.UserId, u => u.Id, (ur, u) => ur.RoleId)
            .GroupBy(roleId => roleId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return roles.ConvertAll(r => ToDto(r, counts.GetValueOrDefault(r.Id)));
    }

    public async Task<RoleDto?> FindAsync(Guid id, CancellationToken ct) => (await ListAsync(ct)).FirstOrDefault(r => r.Id == id);

    public async Task<ChangeResult> CreateAsync(SaveRoleRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Roles), ct);
        await using var _db = db;
        if (CheckCaller(caller, request) is { } refused)
        {
            return refused;
        }

        if (await ValidateAsync(db, request, null, ct) is { } invalid)
        {
            return invalid;
        }

        var role = new Role { Id = Guid.CreateVersion7(), Name = DisplayText.Clean(request.Name!), Description = Clean(request.Description) };
        Apply(role, request);
        db.Roles.Add(role);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(Audit.AuditActions.RoleCreated, caller, role.Name, Describe(request), ct);
        return ChangeResult.Done(role.Id);
    }

    /// <summary>A new custom role with the same permissions, to start from a built-in one.</summary>
    public async Task<ChangeResult> CopyAsync(Guid id, string? name, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } source)
        {
            return ChangeResult.NotFound;
        }

        return await CreateAsync(new SaveRoleRequest(name, source.Description, source.Grants.ToDictionary(), [.. source.Actions]), ct);
    }

    public async Task<ChangeResult> UpdateAsync(Guid id, SaveRoleRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Roles), ct);
        await using var _db = db;
        var role = await db.Roles.Include(r => r.Grants).Include(r => r.Actions).AsSplitQuery().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (role is null)
        {
            return ChangeResult.NotFound;
        }

        if (role.Id == BuiltInRoles.AdministratorId)
        {
            return ChangeResult.Invalid("id", "The Administrator role always has every permission; copy it to make a variant.");
        }

        if (CheckCaller(caller, request) is { } refused)
        {
            return refused;
        }

        if (role.IsBuiltIn && (request.Name is null || DisplayText.Clean(request.Name) != role.Name))
        {
            return ChangeResult.Invalid("name", "Built-in roles keep their names.");
        }

        if (await ValidateAsync(db, request, id, ct) is { } invalid)
        {
            return invalid;
        }

        var before = Snapshot(role.Name, role.Description, role.Grants.Select(g => (g.Object, g.Level)), role.Actions.Select(a => a.Action));
        // One transaction: a permission check in between never sees the role half-written.
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            role.Name = DisplayText.Clean(request.Name!);
            role.Description = Clean(request.Description);
            role.Grants.Clear();
            role.Actions.Clear();
            await db.SaveChangesAsync(ct); // old rows go first: the new ones reuse their keys
            Apply(role, request);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        var after = Snapshot(role.Name, role.Description, role.Grants.Select(g => (g.Object, g.Level)), role.Actions.Select(a => a.Action));
        await audit.RecordAsync(Audit.AuditActions.RoleUpdated, caller, role.Name, Audit.AuditChanges.Between(before, after), ct);
        return ChangeResult.Done(id);
    }

    public async Task<ChangeResult> DeleteAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Roles), ct);
        await using var _db = db;
        var role = await db.Roles.SingleOrDefaultAsync(r => r.Id == id, ct);
        if (role is null)
        {
            return ChangeResult.NotFound;
        }

        if (CheckCaller(caller, null) is { } refused)
        {
            return refused;
        }

        if (role.IsBuiltIn)
        {
            return ChangeResult.Invalid("id", $"{role.Name} is built in and cannot be deleted.");
        }

        if (await db.UserRoles.AnyAsync(ur => ur.RoleId == id, ct))
        {
            return ChangeResult.Invalid("id", $"Users still hold {role.Name}: take it from them first.");
        }

        db.Roles.Remove(role);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(Audit.AuditActions.RoleDeleted, caller, role.Name, null, ct);
        return ChangeResult.Done(id);
    }

    /// <summary>
    /// Roles apply on the whole platform, so only users of the platform's root entity change them, and nobody
    /// writes a role that allows more than they may do themselves.
    /// </summary>
    private static ChangeResult? CheckCaller(Caller caller, SaveRoleRequest? request)
    {
        if (caller.Scope.Path != RootEntity.Path && caller.Scope.Path != EntityScope.Everything.Path)
        {
            return ChangeResult.Forbidden("id", "Roles apply to the whole platform: only users of the platform entity can change them.");
        }

        var exceeds = request is not null
            && ((request.Grants ?? []).Any(g => Enum.IsDefined(g.Value) && g.Value > caller.Permissions.LevelOf(g.Key))
                || (request.Actions ?? []).Any(a => Permission.Parse(a) is { } action && !caller.Permissions.Allows(action)));
        return exceeds ? ChangeResult.Invalid("grants", "A role cannot allow more than you may do yourself.") : null;
    }

    private static async Task<ChangeResult?> ValidateAsync(Storage.AppDbContext db, SaveRoleRequest request, Guid? self, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return ChangeResult.Invalid("name", "Give the role a name.");
        }

        if (name.Length > MaxNameLength)
        {
            return ChangeResult.Invalid("name", $"A role name has at most {MaxNameLength} characters.");
        }

        if (DisplayText.Problem(name) is { } problem)
        {
            return ChangeResult.Invalid("name", problem);
        }

        name = DisplayText.Clean(name);

        if (await db.Roles.AnyAsync(r => r.Name == name && r.Id != self, ct))
        {
            return ChangeResult.Invalid("name", $"There is already a role named {name}.");
        }

        if (request.Actions?.FirstOrDefault(a => !SecuredActions.IsKnown(a)) is { } unknown)
        {
            return ChangeResult.Invalid("actions", $"There is no action {unknown}.");
        }

        if ((request.Grants ?? []).Any(g => !Enum.IsDefined(g.Key) || !Enum.IsDefined(g.Value)))
        {
            return ChangeResult.Invalid("grants", "Grants map secured objects to None, View or Manage.");
        }

        return null;
    }

    private static void Apply(Role role, SaveRoleRequest request)
    {
        role.Grants.AddRange((request.Grants ?? []).Where(g => g.Value != AccessLevel.None)
            .Select(g => new RoleGrant { RoleId = role.Id, Object = g.Key, Level = g.Value }));
        role.Actions.AddRange((request.Actions ?? []).Distinct().Select(a => new RoleAction { RoleId = role.Id, Action = a }));
    }

    private static string Describe(SaveRoleRequest request) =>
        string.Join(", ", (request.Grants ?? []).Where(g => g.Value != AccessLevel.None).Select(g => $"{g.Key}={g.Value}"))
        + "; actions: " + string.Join(", ", request.Actions ?? []);

    /// <summary>The role as the audit compares it: grants by object (None left out), actions in order.</summary>
    private static System.Text.Json.Nodes.JsonObject Snapshot(string name, string? description, IEnumerable<(SecuredObject Object, AccessLevel Level)> grants, IEnumerable<string> actions) =>
        Audit.AuditChanges.Snapshot(new
        {
            name, description,
            grants = grants.Where(g => g.Level != AccessLevel.None).OrderBy(g => g.Object.ToString(), StringComparer.Ordinal)
                .ToDictionary(g => g.Object.ToString(), g => g.Level.ToString()),
            actions = string.Join(", ", actions.Order(StringComparer.Ordinal)),
        });

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static RoleDto ToDto(Role r, int users) => new(
        r.Id, r.Name, r.Description, r.IsBuiltIn,
        r.Grants.ToDictionary(g => g.Object, g => g.Level), r.Actions.Select(a => a.Action).Order().ToList(), users);
}
