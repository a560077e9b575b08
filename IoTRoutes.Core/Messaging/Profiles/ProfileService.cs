using System.Text.Json;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging.Profiles;

public sealed record ProfileFormatDto(Guid Id, string Name, FormatKind Kind, ExchangeType ExchangeType, string TopicPattern);

public sealed record ProfileDto(
    Guid Id, string Name, Guid EntityId, IReadOnlyList<ProfileFormatDto> Formats, IReadOnlyDictionary<string, string> Variables, int Devices,
    DateTimeOffset CreatedAt);

/// <summary>A new profile or its new state: formats in the order they are tried, variables for scripts.</summary>
public sealed record ProfileRequest(string? Name, List<Guid>? FormatIds, Dictionary<string, string>? Variables = null, Guid? EntityId = null);

/// <summary>Device profiles within the caller's part of the entity tree, and which devices use them.</summary>
public sealed class ProfileService(ScopedContexts contexts, FormatCatalog catalog, TimeProvider clock, Security.Audit.AuditTrail audit)
{
    public const int MaxVariables = 50;

    public async Task<IReadOnlyList<ProfileDto>> ListAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.MessageFormats), ct);
        await using var _db = db;
        return await ToDtosAsync(db, await db.Profiles.AsNoTracking().Include(p => p.Formats).OrderBy(p => p.Name).ToListAsync(ct), ct);
    }

    public async Task<ProfileDto?> FindAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.MessageFormats), ct);
        await using var _db = db;
        var profile = await db.Profiles.AsNoTracking().Include(p => p.Formats).SingleOrDefaultAsync(p => p.Id == id, ct);
        return profile is null ? null : (await ToDtosAsync(db, [profile], ct))[0];
    }

    public async Task<ChangeResult> CreateAsync(ProfileRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.MessageFormats), ct);
        await using var _db = db;
        var profile = new DeviceProfile { Id = Guid.CreateVersion7(), Name = "", EntityId = request.EntityId ?? caller.Scope.EntityId, CreatedAt = clock.GetUtcNow() };
        if (await ApplyAsync(db, profile, request, ct) is { } invalid)
        {
            return invalid;
        }

        db.Profiles.Add(profile);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(Security.Audit.AuditActions.ProfileCreated, caller, profile.Name, null, ct);
        return ChangeResult.Done(profile.Id);
    }

    public async Task<ChangeResult> UpdateAsync(Guid id, ProfileRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.MessageFormats), ct);
        await using var _db = db;
        var profile = await db.Profiles.Include(p => p.Formats).SingleOrDefaultAsync(p => p.Id == id, ct);
        if (profile is null)
        {
            return ChangeResult.NotFound;
        }

        var (nameBefore, formatsBefore, variablesBefore) = (profile.Name, profile.Formats.OrderBy(f => f.Position).Select(f => f.FormatId).ToList(), profile.Variables);
        if (await ApplyAsync(db, profile, request with { EntityId = profile.EntityId }, ct) is { } invalid)
        {
            return invalid;
        }

        await db.SaveChangesAsync(ct);
        catalog.Forget();
        var changes = new List<string>();
        if (nameBefore != profile.Name) changes.Add($"name: {nameBefore} -> {profile.Name}");
        var formatsAfter = profile.Formats.OrderBy(f => f.Position).Select(f => f.FormatId).ToList();
        if (!formatsBefore.SequenceEqual(formatsAfter))
        {
            var ids = formatsBefore.Union(formatsAfter).ToList();
            var names = await db.Formats.IgnoreQueryFilters().Where(f => ids.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.Name, ct);
            string Named(List<Guid> list) => list.Count == 0 ? "(none)" : string.Join(", ", list.Select(id => names.GetValueOrDefault(id, id.ToString())));
            changes.Add($"formats: {Named(formatsBefore)} -> {Named(formatsAfter)}");
        }

        // Variables may hold keys for scripts: the entry names the variables that changed, never their values.
        var (varsBefore, varsAfter) = (FormatCatalog.Variables(variablesBefore), FormatCatalog.Variables(profile.Variables));
        var changedVariables = varsBefore.Keys.Union(varsAfter.Keys).Where(k => varsBefore.GetValueOrDefault(k) != varsAfter.GetValueOrDefault(k)).Order().ToList();
        if (changedVariables.Count > 0) changes.Add($"variables changed: {string.Join(", ", changedVariables)}");
        await audit.RecordAsync(Security.Audit.AuditActions.ProfileUpdated, caller, profile.Name, changes.Count == 0 ? "no change" : string.Join("; ", changes), ct);
        return ChangeResult.Done(id);
    }

    public async Task<ChangeResult> DeleteAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.MessageFormats), ct);
        await using var _db = db;
        var profile = await db.Profiles.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (profile is null)
        {
            return ChangeResult.NotFound;
        }

        var devices = await db.Devices.IgnoreQueryFilters().CountAsync(d => d.ProfileId == id, ct);
        if (devices > 0)
        {
            return ChangeResult.Conflict("id", $"{devices} device(s) use profile {profile.Name}: give them another profile, or none, first.");
        }

        db.Profiles.Remove(profile);
        await db.SaveChangesAsync(ct);
        catalog.Forget();
        await audit.RecordAsync(Security.Audit.AuditActions.ProfileDeleted, caller, profile.Name, null, ct);
        return ChangeResult.Done(id);
    }

    /// <summary>
    /// Gives the devices this profile (or none, with a null <paramref name="profileId"/>): all of them or, when one is out of
    /// reach (not found, or outside the profile's entity), none.
    /// </summary>
    public async Task<ChangeResult> AssignAsync(Guid? profileId, IReadOnlyCollection<Guid> deviceIds, CancellationToken ct)
    {
        if (deviceIds.Count is 0 or > 10_000)
        {
            return ChangeResult.Invalid("deviceIds", "Give 1 to 10,000 device ids.");
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Devices), ct);
        await using var _db = db;
        var profilePath = (string?)null;
        if (profileId is { } id)
        {
            var profile = await db.Profiles.Where(p => p.Id == id).Select(p => new { p.Name, p.Entity!.Path }).SingleOrDefaultAsync(ct);
            if (profile is null)
            {
                return ChangeResult.Invalid("profileId", $"There is no profile {id}.");
            }

            profilePath = profile.Path;
        }

        var devices = await db.Devices.Where(d => deviceIds.Contains(d.Id)).Select(d => new { d.Id, d.Name, d.Entity!.Path }).ToListAsync(ct);
        if (devices.Count != deviceIds.Distinct().Count())
        {
            var missing = deviceIds.Except(devices.Select(d => d.Id)).First();
            return ChangeResult.Invalid("deviceIds", $"There is no device {missing}.");
        }

        if (profilePath is not null && devices.FirstOrDefault(d => !d.Path.StartsWith(profilePath, StringComparison.Ordinal)) is { } outside)
        {
            return ChangeResult.Invalid("deviceIds", $"Device {outside.Name} is outside the profile's entity: a profile serves its entity and those below it.");
        }

        await db.Devices.Where(d => deviceIds.Contains(d.Id)).ExecuteUpdateAsync(s => s.SetProperty(d => d.ProfileId, profileId), ct);
        catalog.Forget();
        await audit.RecordAsync(Security.Audit.AuditActions.DeviceProfileAssigned, caller,
            $"{devices.Count} device(s)", profileId is null ? "no profile" : $"profile {profileId}", ct);
        return ChangeResult.Done(profileId ?? Guid.Empty);
    }

    private static async Task<ChangeResult?> ApplyAsync(Storage.AppDbContext db, DeviceProfile profile, ProfileRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name is null ? null : DisplayText.Clean(request.Name);
        if (string.IsNullOrWhiteSpace(name)) errors["name"] = ["A profile needs a name."];
        else if (name.Length > FormatRules.MaxNameLength) errors["name"] = [$"A profile name has at most {FormatRules.MaxNameLength} characters."];
        else if (DisplayText.Problem(name) is { } problem) errors["name"] = [problem];

        var variables = request.Variables ?? [];
        if (variables.Count > MaxVariables || variables.Any(v => v.Key.Length is 0 or > 100 || v.Value is null || v.Value.Length > 4000))
        {
            errors["variables"] = [$"At most {MaxVariables} variables, names of 1 to 100 characters, values up to 4000."];
        }

        var entityPath = await db.Entities.Where(e => e.Id == profile.EntityId).Select(e => e.Path).SingleOrDefaultAsync(ct);
        if (entityPath is null) errors["entityId"] = [$"There is no entity {profile.EntityId}."];

        var formatIds = request.FormatIds ?? [];
        if (formatIds.Count != formatIds.Distinct().Count()) errors["formatIds"] = ["A format appears twice."];
        var formats = await db.Formats.Where(f => formatIds.Contains(f.Id)).Select(f => new { f.Id, f.Name, f.Entity!.Path }).ToListAsync(ct);
        if (formatIds.Except(formats.Select(f => f.Id)).FirstOrDefault() is var missing && missing != Guid.Empty)
        {
            errors["formatIds"] = [$"There is no format {missing}."];
        }
        else if (entityPath is not null && formats.FirstOrDefault(f => !entityPath.StartsWith(f.Path, StringComparison.Ordinal)) is { } foreign)
        {
            errors["formatIds"] = [$"Format {foreign.Name} belongs to another branch of the entity tree: a profile uses formats of its entity or above."];
        }

        if (errors.Count == 0 && name != profile.Name
            && await db.Profiles.IgnoreQueryFilters().AnyAsync(p => p.EntityId == profile.EntityId && p.Name == name && p.Id != profile.Id, ct))
        {
            errors["name"] = [$"There is already a profile named {name} in this entity."];
        }

        if (errors.Count > 0)
        {
            return new ChangeResult(ChangeOutcome.Invalid, Errors: errors);
        }

        profile.Name = name!;
        profile.Variables = JsonSerializer.Serialize(variables);
        profile.Formats.Clear();
        profile.Formats.AddRange(formatIds.Select((id, i) => new DeviceProfileFormat { ProfileId = profile.Id, FormatId = id, Position = i }));
        return null;
    }

    private static async Task<List<ProfileDto>> ToDtosAsync(Storage.AppDbContext db, List<DeviceProfile> profiles, CancellationToken ct)
    {
        var formatIds = profiles.SelectMany(p => p.Formats.Select(f => f.FormatId)).Distinct().ToList();
        var formats = await db.Formats.IgnoreQueryFilters().Where(f => formatIds.Contains(f.Id))
            .Select(f => new ProfileFormatDto(f.Id, f.Name, f.Kind, f.ExchangeType, f.TopicPattern)).ToDictionaryAsync(f => f.Id, ct);
        var ids = profiles.Select(p => p.Id).ToList();
        var devices = await db.Devices.Where(d => d.ProfileId != null && ids.Contains(d.ProfileId.Value))
            .GroupBy(d => d.ProfileId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return profiles.ConvertAll(p => new ProfileDto(p.Id, p.Name, p.EntityId,
            [.. p.Formats.OrderBy(f => f.Position).Select(f => formats[f.FormatId])], FormatCatalog.Variables(p.Variables),
            devices.GetValueOrDefault(p.Id), p.CreatedAt));
    }
}
