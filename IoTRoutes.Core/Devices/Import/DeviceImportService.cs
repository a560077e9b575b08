using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Devices.Import;

/// <summary>
/// Bulk provisioning from a CSV file (name, entity, profile; entity and profile by name or id): a preview with the
/// errors of each row, then all devices at once or none. Needs Devices Manage; entities and profiles are looked up
/// in the caller's part of the tree only, so a name outside it reads as unknown. Each device is audited as created.
/// </summary>
public sealed class DeviceImportService(ScopedContexts contexts, DeviceService devices)
{
    private sealed record EntityRef(Guid Id, string Name, string Path);

    private sealed record ProfileRef(Guid Id, string Name, string EntityPath);

    private sealed record CheckedRow(DeviceImportRow Row, EntityRef? Entity, ProfileRef? Profile);

    public async Task<DeviceImportPreview> PreviewAsync(string csv, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Devices), ct);
        await using var _db = db;
        var (preview, _) = await CheckAsync(db, caller, csv, ct);
        return preview;
    }

    /// <summary>Creates every device of the file in one transaction when the preview has no error; otherwise nothing.</summary>
    public async Task<DeviceImportResult> ImportAsync(string csv, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Devices), ct);
        await using var _db = db;
        var (preview, rows) = await CheckAsync(db, caller, csv, ct);
        if (!preview.CanImport)
        {
            return new DeviceImportResult(preview, null);
        }

        var created = await devices.AddCheckedAsync(db, caller,
            [.. rows.Select(r => new NewDevice(r.Row.Name, r.Entity!.Id, r.Profile?.Id,
                $"in {r.Entity.Name}{(r.Profile is null ? "" : $", profile {r.Profile.Name}")}, from a CSV import (line {r.Row.Line})"))],
            ct);
        return new DeviceImportResult(preview,
            [.. rows.Zip(created, (r, d) => new ImportedDevice(r.Row.Line, d.Id, d.Name, d.Key, d.Secret, r.Entity!.Name, r.Profile?.Name))]);
    }

    private static async Task<(DeviceImportPreview Preview, IReadOnlyList<CheckedRow> Rows)> CheckAsync(
        AppDbContext db, Caller caller, string csv, CancellationToken ct)
    {
        var (lines, problems) = DeviceImportCsv.Read(csv);
        var entities = await db.Entities.AsNoTracking().Select(e => new EntityRef(e.Id, e.Name, e.Path)).ToListAsync(ct);
        var profiles = await db.Profiles.AsNoTracking().Select(p => new ProfileRef(p.Id, p.Name, p.Entity!.Path)).ToListAsync(ct);
        // Only the devices that share a name with a row: an entity may have many devices.
        var names = lines.Where(l => DeviceRules.CheckName(l.Name) is null).Select(l => DisplayText.Clean(l.Name).ToUpperInvariant()).Distinct().ToList();
        var existing = (await db.Devices.AsNoTracking().Where(d => names.Contains(d.Name.ToUpper())).Select(d => new { d.EntityId, d.Name }).ToListAsync(ct))
            .Select(d => (d.EntityId, d.Name.ToUpperInvariant())).ToHashSet();
        var own = entities.Single(e => e.Id == caller.Scope.EntityId);
        var seen = new Dictionary<(Guid, string), int>();
        var rows = new List<CheckedRow>();
        foreach (var line in lines)
        {
            var errors = new List<string>();
            if (DeviceRules.CheckName(line.Name) is { } nameProblem) errors.Add(nameProblem);
            var (entity, entityProblem) = line.Entity.Length == 0 ? (own, null) : Resolve(entities, line.Entity, "entity", e => e.Id, e => e.Name);
            if (entityProblem is not null) errors.Add(entityProblem);
            ProfileRef? profile = null;
            if (line.Profile.Length > 0)
            {
                // Of profiles with that name, only those of the device's entity or above can serve it.
                var usable = entity is null ? profiles : profiles.Where(p => entity.Path.StartsWith(p.EntityPath, StringComparison.Ordinal)).ToList();
                (profile, var profileProblem) = Resolve(usable, line.Profile, "profile", p => p.Id, p => p.Name);
                if (profileProblem is not null)
                {
                    errors.Add(entity is not null && Resolve(profiles, line.Profile, "profile", p => p.Id, p => p.Name).Found is not null
                        ? $"Profile {line.Profile} belongs to another branch of the entity tree: a profile serves its entity and those below it."
                        : profileProblem);
                }
            }

            if (entity is not null && errors.Count == 0)
            {
                var key = (entity.Id, DisplayText.Clean(line.Name).ToUpperInvariant());
                if (seen.TryGetValue(key, out var first)) errors.Add($"Line {first} already has a device named {line.Name} in {entity.Name}.");
                else if (existing.Contains(key)) errors.Add($"{entity.Name} already has a device named {line.Name}.");
                else seen[key] = line.Line;
            }

            rows.Add(new CheckedRow(new DeviceImportRow(line.Line, line.Name, entity?.Name ?? line.Entity, profile?.Name ?? NullIfEmpty(line.Profile), errors), entity, profile));
        }

        return (new DeviceImportPreview([.. rows.Select(r => r.Row)], problems), rows);
    }

    /// <summary>By id, else by name (ignoring case): one match, or why not.</summary>
    private static (T? Found, string? Problem) Resolve<T>(IReadOnlyList<T> candidates, string text, string what, Func<T, Guid> id, Func<T, string> name)
        where T : class
    {
        if (Guid.TryParse(text, out var wanted))
        {
            return candidates.FirstOrDefault(c => id(c) == wanted) is { } byId ? (byId, null) : (null, $"There is no {what} {wanted}.");
        }

        var named = candidates.Where(c => string.Equals(name(c), text, StringComparison.OrdinalIgnoreCase)).ToList();
        return named.Count switch
        {
            1 => (named[0], null),
            0 => (null, $"There is no {what} named {text}."),
            _ => (null, $"More than one {what} is named {text}: give its id instead."),
        };
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
