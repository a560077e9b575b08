using IoTRoutes.Core;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Security.Audit;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Entities;

/// <summary>The entity tree, as far as the caller can see it: list, create, rename, move, delete.</summary>
public sealed class EntityService(ScopedContexts contexts, TimeProvider clock, AuditTrail audit)
{
    public async Task<IReadOnlyList<EntityDto>> ListAsync(CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.View(SecuredObject.Entities), ct);
        await using var _db = db;
        var entities = await db.Entities.AsNoTracking().OrderBy(e => e.Path).ToListAsync(ct);
        return entities.ConvertAll(e => ToDto(e, caller));
    }

    public async Task<EntityDto?> FindAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.View(SecuredObject.Entities), ct);
        await using var _db = db;
        return await db.Entities.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, ct) is { } e ? ToDto(e, caller) : null;
    }

    public async Task<ChangeResult> CreateAsync(CreateEntityRequest request, CancellationToken ct)
    {
        if (EntityRules.CheckName(request.Name) is { } problem)
        {
            return ChangeResult.Invalid("name", problem);
        }

        if (request.Type is not { } type || type == EntityType.Platform || !Enum.IsDefined(type))
        {
            return ChangeResult.Invalid("type", "Choose Organisation, SubOrganisation, Customer or Person.");
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Entities), ct);
        await using var _db = db;
        var parentId = request.ParentId ?? caller.Scope.EntityId;
        var parent = await db.Entities.SingleOrDefaultAsync(e => e.Id == parentId, ct);
        if (parent is null)
        {
            return ChangeResult.Invalid("parentId", $"There is no entity {parentId}.");
        }

        var id = Guid.CreateVersion7();
        var name = DisplayText.Clean(request.Name!);
        db.Entities.Add(new Entity
        {
            Id = id, Name = name, Type = type, ParentId = parent.Id,
            Path = Entity.PathOf(parent.Path, id), CreatedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.EntityCreated, caller, name, $"{type} under {parent.Name}", CancellationToken.None);
        return ChangeResult.Done(id);
    }

    public async Task<ChangeResult> RenameAsync(Guid id, string? name, CancellationToken ct)
    {
        if (EntityRules.CheckName(name) is { } problem)
        {
            return ChangeResult.Invalid("name", problem);
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Entities), ct);
        await using var _db = db;
        var entity = await db.Entities.SingleOrDefaultAsync(e => e.Id == id, ct);
        if (entity is null)
        {
            return ChangeResult.NotFound;
        }

        var before = entity.Name;
        entity.Name = DisplayText.Clean(name!);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.EntityRenamed, caller, entity.Name, $"name: {before} -> {entity.Name}", CancellationToken.None);
        return ChangeResult.Done(id);
    }

    /// <summary>Moves an entity, with everything below it, under another parent the caller can see.</summary>
    public async Task<ChangeResult> MoveAsync(Guid id, Guid newParentId, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Entities), ct);
        await using var _db = db;
        var (entity, refused) = await FindChangeableAsync(db, caller, id, "moved", ct);
        if (entity is null)
        {
            return refused!;
        }

        var parent = await db.Entities.SingleOrDefaultAsync(e => e.Id == newParentId, ct);
        if (parent is null)
        {
            return ChangeResult.Invalid("parentId", $"There is no entity {newParentId}.");
        }

        if (parent.Path.StartsWith(entity.Path, StringComparison.Ordinal))
        {
            return ChangeResult.Invalid("parentId", "An entity cannot be moved below itself.");
        }

        var oldPath = entity.Path;
        var newPath = Entity.PathOf(parent.Path, entity.Id);
        var subtree = await db.Entities.Where(e => e.Path.StartsWith(oldPath)).ToListAsync(ct);
        foreach (var node in subtree)
        {
            node.Path = newPath + node.Path[oldPath.Length..];
        }

        var oldParent = await db.Entities.IgnoreQueryFilters().Where(e => e.Id == entity.ParentId).Select(e => e.Name).SingleOrDefaultAsync(ct);
        entity.ParentId = parent.Id;
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.EntityMoved, caller, entity.Name, $"parent: {oldParent} -> {parent.Name}", CancellationToken.None);
        return ChangeResult.Done(id);
    }

    /// <summary>Deletes an empty entity; one with sub-entities, devices or users attached is refused, saying which.</summary>
    public async Task<ChangeResult> DeleteAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Entities), ct);
        await using var _db = db;
        var (entity, refused) = await FindChangeableAsync(db, caller, id, "deleted", ct);
        if (entity is null)
        {
            return refused!;
        }

        // Counted without the caller's scope: what is attached blocks the delete even where the caller cannot see it.
        var children = await db.Entities.IgnoreQueryFilters().CountAsync(e => e.ParentId == id, ct);
        var devices = await db.Devices.IgnoreQueryFilters().CountAsync(d => d.EntityId == id, ct);
        var users = await db.Users.IgnoreQueryFilters().CountAsync(u => u.EntityId == id, ct);
        var files = await db.Files.IgnoreQueryFilters().CountAsync(f => f.EntityId == id, ct);
        if (children + devices + users + files > 0)
        {
            var attached = new[] { (children, "sub-entities"), (devices, "devices"), (users, "users"), (files, "files") }
                .Where(x => x.Item1 > 0).Select(x => $"{x.Item1} {x.Item2}");
            return ChangeResult.Invalid("id", $"{entity.Name} still has {string.Join(", ", attached)}: move or delete them first.");
        }

        // The audit history of the entity stays, with its parent, where the same readers (and more) see it.
        await db.AuditEntries.IgnoreQueryFilters().Where(a => a.EntityId == id)
            .ExecuteUpdateAsync(x => x.SetProperty(a => a.EntityId, entity.ParentId!.Value), ct);
        db.Entities.Remove(entity);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.EntityDeleted, caller, entity.Name, entity.Type.ToString(), CancellationToken.None);
        return ChangeResult.Done(id);
    }

    /// <summary>The entity to move or delete, or why not: missing (or out of scope), or the caller's own or the root.</summary>
    private static async Task<(Entity? Entity, ChangeResult? Refused)> FindChangeableAsync(
        Storage.AppDbContext db, Caller caller, Guid id, string what, CancellationToken ct)
    {
        var entity = await db.Entities.SingleOrDefaultAsync(e => e.Id == id, ct);
        if (entity is null)
        {
            return (null, ChangeResult.NotFound);
        }

        return entity.Id == caller.Scope.EntityId || entity.ParentId is null
            ? (null, ChangeResult.Invalid("id", $"Your own entity and the platform root cannot be {what}."))
            : (entity, null);
    }

    // The caller's own entity shows no parent: the parent is outside the caller's sight, even its id.
    private static EntityDto ToDto(Entity e, Caller caller) =>
        new(e.Id, e.Name, e.Type, e.Path == caller.Scope.Path ? null : e.ParentId, e.Path.Count(c => c == '/') - 2);
}
