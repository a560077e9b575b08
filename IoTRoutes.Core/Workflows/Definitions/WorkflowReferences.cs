using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>Something a setting can name: its id, its name, and what tells two of the same name apart.</summary>
public sealed record ReferenceOption(Guid Id, string Name, string? Detail);

/// <summary>
/// What a workflow's settings can name (<see cref="SettingReference"/>), found by name: the devices and entities of the
/// workflow's part of the entity tree (a workflow runs no other device), and the profiles its devices can have (the
/// entity's own, its ancestors' and its descendants'), as far as the caller sees.
/// </summary>
public sealed class WorkflowReferences(ScopedContexts contexts)
{
    public const int MaxOptions = 50;

    /// <summary>Options whose name (or device key) contains <paramref name="text"/>, by name; null when the workflow is not found.</summary>
    public async Task<IReadOnlyList<ReferenceOption>?> SearchAsync(Guid workflowId, SettingReference kind, string? text, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Workflows), ct);
        await using var _db = db;
        if (await WorkflowPathAsync(db, workflowId, ct) is not { } path) return null;
        var search = text?.Trim().ToUpperInvariant() ?? ""; // names compared ignoring case, on every provider
        return kind switch
        {
            SettingReference.Device => await db.Devices.AsNoTracking()
                .Where(d => d.Entity!.Path.StartsWith(path) && (search == "" || d.Name.ToUpper().Contains(search) || d.Key.ToUpper().Contains(search)))
                .OrderBy(d => d.Name).Take(MaxOptions).Select(d => new ReferenceOption(d.Id, d.Name, d.Entity!.Name)).ToListAsync(ct),
            SettingReference.Entity => await db.Entities.AsNoTracking()
                .Where(e => e.Path.StartsWith(path) && (search == "" || e.Name.ToUpper().Contains(search)))
                .OrderBy(e => e.Path).Take(MaxOptions).Select(e => new ReferenceOption(e.Id, e.Name, e.Type.ToString())).ToListAsync(ct),
            SettingReference.Profile => (await ProfilesAsync(db, path, ct))
                .Where(p => search == "" || p.Name.ToUpperInvariant().Contains(search, StringComparison.Ordinal)).Take(MaxOptions).ToList(),
            _ when kind.IsCommunicator() => await CommunicatorOptions(db, path, kind)
                .Where(c => search == "" || c.Name.ToUpper().Contains(search)).OrderBy(c => c.Name).Take(MaxOptions)
                .Select(c => new ReferenceOption(c.Id, c.Name, c.Enabled ? c.Entity!.Name : c.Entity!.Name + ", disabled")).ToListAsync(ct),
            _ => [],
        };
    }

    /// <summary>
    /// The options the ids name, by id; an id the caller cannot see, or one outside the workflow's part of the tree, is
    /// left out (the designer shows it as unknown). Null when the workflow is not found.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, ReferenceOption>?> NamesAsync(Guid workflowId, SettingReference kind, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Workflows), ct);
        await using var _db = db;
        if (await WorkflowPathAsync(db, workflowId, ct) is not { } path) return null;
        if (ids.Count == 0) return new Dictionary<Guid, ReferenceOption>();
        var found = kind switch
        {
            SettingReference.Device => await db.Devices.AsNoTracking().Where(d => ids.Contains(d.Id) && d.Entity!.Path.StartsWith(path))
                .Select(d => new ReferenceOption(d.Id, d.Name, d.Entity!.Name)).ToListAsync(ct),
            SettingReference.Entity => await db.Entities.AsNoTracking().Where(e => ids.Contains(e.Id) && e.Path.StartsWith(path))
                .Select(e => new ReferenceOption(e.Id, e.Name, e.Type.ToString())).ToListAsync(ct),
            SettingReference.Profile => [.. (await ProfilesAsync(db, path, ct)).Where(p => ids.Contains(p.Id))],
            _ when kind.IsCommunicator() => await CommunicatorOptions(db, path, kind).Where(c => ids.Contains(c.Id))
                .Select(c => new ReferenceOption(c.Id, c.Name, c.Enabled ? c.Entity!.Name : c.Entity!.Name + ", disabled")).ToListAsync(ct),
            _ => [],
        };
        return found.ToDictionary(o => o.Id);
    }

    private static Task<string?> WorkflowPathAsync(Storage.AppDbContext db, Guid workflowId, CancellationToken ct) =>
        db.Workflows.AsNoTracking().Where(w => w.Id == workflowId).Select(w => w.Entity!.Path).SingleOrDefaultAsync(ct);

    /// <summary>
    /// The communicators of the kind a workflow at <paramref name="path"/> may use: its entity's and its ancestors', as
    /// <see cref="Communicators.CommunicatorUsage"/> loads them. Their names are offered even where the caller's own scope
    /// stops below them: whoever edits the workflow may use them, not read their settings.
    /// </summary>
    private static IQueryable<Communicators.Communicator> CommunicatorOptions(Storage.AppDbContext db, string path, SettingReference kind)
    {
        var ancestors = AncestorPaths(path);
        var kinds = kind switch
        {
            SettingReference.HttpCommunicator => new[] { CommunicatorKind.Http },
            SettingReference.MailCommunicator => [CommunicatorKind.Smtp],
            SettingReference.FileCommunicator => [CommunicatorKind.Ftp, CommunicatorKind.Sftp],
            SettingReference.MqttBridge => [CommunicatorKind.MqttBridge],
            _ => [],
        };
        return db.Communicators.IgnoreQueryFilters().AsNoTracking().Where(c => ancestors.Contains(c.Entity!.Path) && kinds.Contains(c.Kind));
    }

    /// <summary>"/a/b/" → "/a/", "/a/b/".</summary>
    private static List<string> AncestorPaths(string path)
    {
        var paths = new List<string>();
        for (var end = path.IndexOf('/', 1); end > 0; end = path.IndexOf('/', end + 1)) paths.Add(path[..(end + 1)]);
        return paths;
    }

    /// <summary>Profiles the workflow's devices can have: of its entity, above it, or below it.</summary>
    private static async Task<List<ReferenceOption>> ProfilesAsync(Storage.AppDbContext db, string path, CancellationToken ct)
    {
        var profiles = await db.Profiles.AsNoTracking().OrderBy(p => p.Name)
            .Select(p => new { p.Id, p.Name, EntityName = p.Entity!.Name, EntityPath = p.Entity!.Path }).ToListAsync(ct);
        return profiles.Where(p => path.StartsWith(p.EntityPath, StringComparison.Ordinal) || p.EntityPath.StartsWith(path, StringComparison.Ordinal))
            .Select(p => new ReferenceOption(p.Id, p.Name, p.EntityName)).ToList();
    }
}
