using System.Diagnostics;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Communicators;

/// <summary>
/// Communicators as users manage them, within their part of the entity tree (secured object Communicators): list, create,
/// change, delete, test. Secrets go in encrypted and never come out: answers say which are set, audit entries which
/// changed, never a value.
/// </summary>
public sealed class CommunicatorService(
    ScopedContexts contexts, CommunicatorKinds kinds, CommunicatorSecretBox secrets, CommunicatorUsage usage, AuditTrail audit, TimeProvider clock)
{
    public const int MaxNameLength = 100;

    public async Task<IReadOnlyList<CommunicatorDto>> ListAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Communicators), ct);
        await using var _db = db;
        var rows = await db.Communicators.AsNoTracking().Include(c => c.Entity).OrderBy(c => c.Name).ToListAsync(ct);
        return rows.ConvertAll(ToDto);
    }

    public async Task<CommunicatorDto?> FindAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Communicators), ct);
        await using var _db = db;
        return await db.Communicators.AsNoTracking().Include(c => c.Entity).SingleOrDefaultAsync(c => c.Id == id, ct) is { } row ? ToDto(row) : null;
    }

    public async Task<ChangeResult> CreateAsync(CommunicatorRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Communicators), ct);
        await using var _db = db;
        if (request.Kind is not { } kind) return ChangeResult.Invalid("kind", "Choose a kind.");
        var now = clock.GetUtcNow();
        var row = new Communicator
        {
            Id = Guid.CreateVersion7(now), Name = "", Kind = kind, EntityId = request.EntityId ?? caller.Scope.EntityId, CreatedAt = now, UpdatedAt = now,
        };
        if (request.EntityId is { } entityId && !await db.Entities.AnyAsync(e => e.Id == entityId, ct))
            return ChangeResult.Invalid("entityId", "There is no such entity in your part of the tree.");
        if (await ApplyAsync(db, row, request, ct) is { } problem) return problem;
        db.Communicators.Add(row);
        await db.SaveChangesAsync(ct);
        usage.Changed(row.Id); // a bridge starts at once
        await audit.RecordAsync(AuditActions.CommunicatorCreated, caller, row.Name, $"{row.Kind}: {Describe(JsonNode.Parse(row.Settings)!.AsObject())}{SecretsNote(row.SecretNames)}", ct);
        return ChangeResult.Done(row.Id);
    }

    /// <summary>Omitted settings are not kept: the body is the whole new configuration, except secrets, which stay unless given.</summary>
    public async Task<ChangeResult> UpdateAsync(Guid id, CommunicatorRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Communicators), ct);
        await using var _db = db;
        if (await db.Communicators.SingleOrDefaultAsync(c => c.Id == id, ct) is not { } row) return ChangeResult.NotFound;
        var before = JsonNode.Parse(row.Settings)!.AsObject();
        var (enabledBefore, nameBefore) = (row.Enabled, row.Name);
        if (await ApplyAsync(db, row, request, ct) is { } problem) return problem;
        row.Revision++;
        row.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        usage.Changed(row.Id);
        var changes = ChangedSettings(before, JsonNode.Parse(row.Settings)!.AsObject());
        if (nameBefore != row.Name) changes.Insert(0, $"name: {nameBefore} -> {row.Name}");
        if (enabledBefore != row.Enabled) changes.Add(row.Enabled ? "enabled" : "disabled");
        var secretChanges = request.Secrets.Keys.ToList();
        if (secretChanges.Count > 0) changes.Add($"secrets changed: {string.Join(", ", secretChanges)}");
        await audit.RecordAsync(AuditActions.CommunicatorUpdated, caller, row.Name, changes.Count == 0 ? "no change" : string.Join("; ", changes), ct);
        return ChangeResult.Done(row.Id);
    }

    public async Task<ChangeResult> DeleteAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Communicators), ct);
        await using var _db = db;
        if (await db.Communicators.SingleOrDefaultAsync(c => c.Id == id, ct) is not { } row) return ChangeResult.NotFound;
        db.Communicators.Remove(row);
        await db.SaveChangesAsync(ct);
        usage.Changed(row.Id);
        await audit.RecordAsync(AuditActions.CommunicatorDeleted, caller, row.Name, row.Kind.ToString(), ct);
        return ChangeResult.Done(id);
    }

    /// <summary>Tries the communicator now (Manage: it uses the secrets); the outcome is also kept as its last use.</summary>
    public async Task<ConnectionTestResult?> TestAsync(Guid id, string? to, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Communicators), ct);
        await using var _db = db;
        if (await db.Communicators.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) is not { } row) return null;
        var started = Stopwatch.GetTimestamp();
        ConnectionTestResult result;
        try
        {
            var connection = new CommunicatorConnection(row.Id, row.Revision, row.Name, row.Kind, JsonNode.Parse(row.Settings)!.AsObject(), secrets.Unprotect(row.ProtectedSecrets));
            result = await kinds[row.Kind].TestAsync(connection, to, ct);
        }
        catch (CommunicatorException e)
        {
            result = ConnectionTestResult.Failed(e, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        await usage.RecordAsync(row.Id, result.Succeeded, result.Error, ct);
        // Audited: a test uses the stored secrets and may send a message to an address the caller chose.
        await audit.RecordAsync(AuditActions.CommunicatorTested, caller, row.Name,
            $"{(to is null ? "" : $"to {to}: ")}{(result.Succeeded ? "succeeded" : $"failed: {result.Error}")}", CancellationToken.None);
        return result;
    }

    private async Task<ChangeResult?> ApplyAsync(AppDbContext db, Communicator row, CommunicatorRequest request, CancellationToken ct)
    {
        var name = request.Name?.Trim() ?? row.Name;
        if (name.Length == 0) return ChangeResult.Invalid("name", "Give the communicator a name.");
        if (name.Length > MaxNameLength) return ChangeResult.Invalid("name", $"A name has at most {MaxNameLength} characters.");
        if (await db.Communicators.AnyAsync(c => c.Name == name && c.EntityId == row.EntityId && c.Id != row.Id, ct))
            return ChangeResult.Invalid("name", $"This entity already has a communicator named {name}.");

        var kind = kinds[row.Kind];
        var merged = new Dictionary<string, string>(secrets.Unprotect(row.ProtectedSecrets));
        foreach (var (path, value) in request.Secrets)
        {
            if (string.IsNullOrEmpty(value)) merged.Remove(path);
            else merged[path] = value;
        }

        var (settings, problems) = kind.Check(request.Settings, merged);
        if (settings is null || problems.Count > 0) return new ChangeResult(ChangeOutcome.Invalid, Errors: problems);
        row.Name = name;
        row.Enabled = request.Enabled ?? row.Enabled;
        row.Settings = settings.ToJsonString();
        row.ProtectedSecrets = secrets.Protect(merged);
        row.SecretNames = string.Join(",", merged.Keys.Order(StringComparer.Ordinal));
        return null;
    }

    private static CommunicatorDto ToDto(Communicator c) => new(
        c.Id, c.Name, c.Kind, c.Enabled, c.EntityId, c.Entity?.Name ?? "", JsonNode.Parse(c.Settings)!.AsObject(),
        c.SecretNames.Split(',', StringSplitOptions.RemoveEmptyEntries), c.CreatedAt, c.UpdatedAt, c.LastUsedAt, c.LastSucceeded, c.LastError, c.LastErrorAt);

    private static string Describe(JsonObject settings) =>
        string.Join(", ", settings.Where(p => p.Value is JsonValue).Take(6).Select(p => $"{p.Key} {p.Value!.ToJsonString().Trim('"')}"));

    private static string SecretsNote(string names) => names.Length == 0 ? "" : $"; secrets set: {names.Replace(",", ", ")}";

    /// <summary>"host: a -> b" per changed setting (values of settings only: secrets are never in them).</summary>
    private static List<string> ChangedSettings(JsonObject before, JsonObject after)
    {
        var changes = new List<string>();
        foreach (var key in before.Select(p => p.Key).Union(after.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            var (old, now) = (before[key]?.ToJsonString(), after[key]?.ToJsonString());
            if (old != now) changes.Add($"{key}: {Short(old)} -> {Short(now)}");
        }

        return changes;
    }

    private static string Short(string? json) => json is null ? "(none)" : json.Length <= 80 ? json : json[..77] + "...";
}
