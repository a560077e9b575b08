using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>Message formats within the caller's part of the entity tree: list, read, create, change (a new version), delete, try.</summary>
public sealed class FormatService(ScopedContexts contexts, FormatCatalog catalog, TimeProvider clock, Security.Audit.AuditTrail audit, VersionTestResults testResults)
{
    private static readonly JsonSerializerOptions Stored = FormatCompiler.SettingsJson;

    public async Task<IReadOnlyList<FormatDto>> ListAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.MessageFormats), ct);
        await using var _db = db;
        var formats = await db.Formats.AsNoTracking().OrderBy(f => f.Name).ToListAsync(ct);
        var usage = await UsageAsync(db, null, ct);
        return formats.ConvertAll(f => ToDto(f, usage.GetValueOrDefault(f.Id, [])));
    }

    public async Task<FormatDto?> FindAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.MessageFormats), ct);
        await using var _db = db;
        var format = await db.Formats.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, ct);
        return format is null ? null : ToDto(format, (await UsageAsync(db, id, ct)).GetValueOrDefault(id, []));
    }

    public async Task<ChangeResult> CreateAsync(FormatDefinition definition, CancellationToken ct)
    {
        if (Validate(definition) is { } invalid)
        {
            return invalid;
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.MessageFormats), ct);
        await using var _db = db;
        var entityId = definition.EntityId ?? caller.Scope.EntityId;
        if (!await db.Entities.AnyAsync(e => e.Id == entityId, ct))
        {
            return ChangeResult.Invalid("entityId", $"There is no entity {entityId}.");
        }

        var name = DisplayText.Clean(definition.Name!);
        if (await db.Formats.IgnoreQueryFilters().AnyAsync(f => f.EntityId == entityId && f.Name == name, ct))
        {
            return ChangeResult.Invalid("name", $"There is already a format named {name} in this entity.");
        }

        var now = clock.GetUtcNow();
        var format = new MessageFormat { Id = Guid.CreateVersion7(), Name = name, EntityId = entityId, CreatedAt = now };
        Apply(format, definition, now);
        db.Formats.Add(format);
        db.FormatVersions.Add(Snapshot(format, await EmailOfAsync(db, caller, ct)));
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(Security.Audit.AuditActions.FormatCreated, caller, $"{format.Name} ({format.Kind})", null, ct);
        return ChangeResult.Done(format.Id);
    }

    /// <summary>Saves the definition as the format's next version; messages already decoded keep naming the version they got.</summary>
    public async Task<ChangeResult> UpdateAsync(Guid id, FormatDefinition definition, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.MessageFormats), ct);
        await using var _db = db;
        var format = await db.Formats.SingleOrDefaultAsync(f => f.Id == id, ct);
        if (format is null)
        {
            return ChangeResult.NotFound;
        }

        if (Validate(definition with { EntityId = format.EntityId }) is { } invalid)
        {
            return invalid;
        }

        var name = DisplayText.Clean(definition.Name!);
        if (name != format.Name && await db.Formats.IgnoreQueryFilters().AnyAsync(f => f.EntityId == format.EntityId && f.Name == name && f.Id != id, ct))
        {
            return ChangeResult.Invalid("name", $"There is already a format named {name} in this entity.");
        }

        var before = Security.Audit.AuditChanges.Snapshot(DefinitionOf(format));
        format.Name = name;
        format.Version++;
        Apply(format, definition, clock.GetUtcNow());
        db.FormatVersions.Add(Snapshot(format, await EmailOfAsync(db, caller, ct)));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two saves of one version at once: the second finds its version number taken.
            return ChangeResult.Conflict("version", $"Format {format.Name} was saved by someone else meanwhile as v{format.Version}: reload it and save again.");
        }

        catalog.Forget();
        await audit.RecordAsync(Security.Audit.AuditActions.FormatUpdated, caller, $"{format.Name} v{format.Version}",
            Security.Audit.AuditChanges.Between(before, Security.Audit.AuditChanges.Snapshot(DefinitionOf(format))), ct);
        return ChangeResult.Done(id);
    }

    public async Task<ChangeResult> DeleteAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.MessageFormats), ct);
        await using var _db = db;
        var format = await db.Formats.SingleOrDefaultAsync(f => f.Id == id, ct);
        if (format is null)
        {
            return ChangeResult.NotFound;
        }

        var profiles = await db.ProfileFormats.IgnoreQueryFilters().Where(pf => pf.FormatId == id)
            .Join(db.Profiles.IgnoreQueryFilters(), pf => pf.ProfileId, p => p.Id, (pf, p) => p.Name).ToListAsync(ct);
        if (profiles.Count > 0)
        {
            return ChangeResult.Conflict("id", $"Format {format.Name} is used by profile(s) {string.Join(", ", profiles)}: take it out of them first.");
        }

        db.Formats.Remove(format);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(Security.Audit.AuditActions.FormatDeleted, caller, format.Name, null, ct);
        return ChangeResult.Done(id);
    }

    public async Task<IReadOnlyList<FormatVersionDto>?> VersionsAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.MessageFormats), ct);
        await using var _db = db;
        if (!await db.Formats.AnyAsync(f => f.Id == id, ct))
        {
            return null;
        }

        var versions = await db.FormatVersions.Where(v => v.FormatId == id).OrderByDescending(v => v.Version).ToListAsync(ct);
        return versions.ConvertAll(v => new FormatVersionDto(v.Version, v.CreatedAt, v.CreatedBy, JsonSerializer.Deserialize<FormatDefinition>(v.Definition, Stored)!));
    }

    /// <summary>Decodes a sample with the stored format; null when there is no such format in the caller's scope.</summary>
    public async Task<TryResult?> TryAsync(Guid id, byte[] payload, int? fPort, CancellationToken ct)
    {
        if (await StoredAsync(id, ct) is not { } format)
        {
            return null;
        }

        var compiled = FormatCatalog.Compile(format);
        return compiled.Compiled is { } ready
            ? FormatTrial.Try(ready, format.ExchangeType, payload, fPort ?? format.FPort, FormatCatalog.NoVariables, clock.GetUtcNow())
            : new TryResult(null, [], [], [compiled.Problem!], null);
    }

    /// <summary>
    /// Encodes data as the stored format would for a command, and reads the bytes back when the format can (a script's
    /// <c>decodeDownlink</c>), so that encoder and decoder can be seen to agree; null when there is no such format in the
    /// caller's scope.
    /// </summary>
    public async Task<FormatEncoding?> EncodeAsync(Guid id, JsonObject data, CancellationToken ct)
    {
        if (await StoredAsync(id, ct) is not { } format)
        {
            return null;
        }

        var compiled = FormatCatalog.Compile(format);
        if (compiled.Compiled is not { Encoder: { } encoder } ready)
        {
            return new FormatEncoding(Encoders.EncodedPayload.Failed(format.FPort, compiled.Problem ?? $"A {format.Kind} format does not encode."), null);
        }

        var encoded = encoder.Encode(data, format.FPort);
        if (encoded.Bytes is not { } bytes || ready.DownlinkDecoder is not { } downlinks)
        {
            return new FormatEncoding(encoded, null);
        }

        var decoded = downlinks.Decode(new Decoding.DecodeInput(bytes, encoded.FPort, clock.GetUtcNow(), FormatCatalog.NoVariables));
        return new FormatEncoding(encoded, new DecodedDownlink(decoded.Succeeded ? decoded.Data : null, decoded.Warnings, decoded.Errors));
    }

    /// <summary>Decodes a sample with a definition not saved yet (the editor's live panel); its problems come back as errors.</summary>
    public async Task<TryResult> TryDefinitionAsync(FormatDefinition definition, byte[] payload, int? fPort, CancellationToken ct)
    {
        var (compiled, problems) = await CompileUnsavedAsync(definition, ct);
        return compiled is null
            ? new TryResult(null, [], [], problems, null)
            : FormatTrial.Try(compiled, definition.ExchangeType ?? ExchangeType.Telemetry, payload, fPort ?? definition.FPort ?? 1, FormatCatalog.NoVariables, clock.GetUtcNow());
    }

    /// <summary>Runs a definition's test cases before it is saved (the editor's test cases tab); a definition that does not compile gives its problems instead.</summary>
    public async Task<(IReadOnlyList<FormatTestResult> Results, IReadOnlyList<string> Problems)> TestDefinitionAsync(FormatDefinition definition, CancellationToken ct)
    {
        var (compiled, problems) = await CompileUnsavedAsync(definition, ct);
        return compiled is null
            ? ([], problems)
            : (FormatTrial.RunTests(compiled, definition.ExchangeType ?? ExchangeType.Telemetry, definition.TestCases ?? [], definition.FPort ?? 1, clock.GetUtcNow()), []);
    }

    /// <summary>Encodes data with a definition not saved yet (the editor's encode panel).</summary>
    public async Task<Encoders.EncodedPayload> EncodeDefinitionAsync(FormatDefinition definition, JsonObject data, CancellationToken ct)
    {
        var fPort = definition.FPort ?? 1;
        var (compiled, problems) = await CompileUnsavedAsync(definition, ct);
        return compiled is null ? Encoders.EncodedPayload.Failed(fPort, [.. problems])
            : compiled.Encoder is { } encoder ? encoder.Encode(data, fPort)
            : Encoders.EncodedPayload.Failed(fPort, $"A {definition.Kind} format does not encode.");
    }

    /// <summary>A stored format in the caller's scope (Formats.View), or null.</summary>
    private async Task<MessageFormat?> StoredAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.MessageFormats), ct);
        await using var _db = db;
        return await db.Formats.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, ct);
    }

    /// <summary>A definition the editor has not saved, compiled for the caller (Formats.View), or its problems as text.</summary>
    private async Task<(CompiledFormat? Compiled, IReadOnlyList<string> Problems)> CompileUnsavedAsync(FormatDefinition definition, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.MessageFormats), ct);
        await db.DisposeAsync();
        var (compiled, errors) = FormatCompiler.Compile(definition.Kind ?? FormatKind.Json, definition.Settings ?? []);
        return (compiled, compiled is null ? [.. errors.Select(e => $"{e.Key}: {e.Value[0]}")] : []);
    }

    private ChangeResult? Validate(FormatDefinition definition)
    {
        var errors = FormatRules.Check(definition);
        if (definition.Kind is { } kind)
        {
            var (compiled, settingsErrors) = FormatCompiler.Compile(kind, definition.Settings ?? []);
            foreach (var (key, value) in settingsErrors) errors.TryAdd(key, value);
            if (compiled is not null && errors.Count == 0)
            {
                foreach (var failed in FormatTrial.RunTests(compiled, definition.ExchangeType ?? ExchangeType.Telemetry, definition.TestCases ?? [], definition.FPort ?? 1, clock.GetUtcNow()).Where(r => !r.Passed))
                {
                    errors.TryAdd($"testCases.{failed.Name}", [$"Test case \"{failed.Name}\" fails: {failed.Problem}"]);
                }
            }
        }

        return errors.Count > 0 ? new ChangeResult(ChangeOutcome.Invalid, Errors: errors) : null;
    }

    private static void Apply(MessageFormat format, FormatDefinition d, DateTimeOffset now)
    {
        format.Kind = d.Kind!.Value;
        format.ExchangeType = d.ExchangeType!.Value;
        format.TopicPattern = string.IsNullOrWhiteSpace(d.TopicPattern) ? "#" : d.TopicPattern.Trim();
        format.Discriminator = d.Discriminator is null ? null : JsonSerializer.Serialize(d.Discriminator, Stored);
        format.FPort = d.FPort ?? 1;
        format.Settings = (d.Settings ?? []).ToJsonString();
        format.TestCases = JsonSerializer.Serialize(d.TestCases ?? [], Stored);
        format.UpdatedAt = now;
    }

    private static Task<string?> EmailOfAsync(Storage.AppDbContext db, Caller caller, CancellationToken ct) =>
        db.Users.IgnoreQueryFilters().Where(u => u.Id == caller.UserId).Select(u => u.Email).FirstOrDefaultAsync(ct);

    private MessageFormatVersion Snapshot(MessageFormat f, string? by) => new()
    {
        FormatId = f.Id, Version = f.Version, CreatedAt = clock.GetUtcNow(), CreatedBy = by,
        Definition = JsonSerializer.Serialize(DefinitionOf(f), Stored),
    };

    internal static FormatDefinition DefinitionOf(MessageFormat f) => new(
        f.Name, f.Kind, f.ExchangeType, f.TopicPattern,
        f.Discriminator is null ? null : JsonSerializer.Deserialize<Discriminator>(f.Discriminator, Stored),
        f.FPort, JsonNode.Parse(f.Settings) as JsonObject ?? [], JsonSerializer.Deserialize<List<FormatTestCase>>(f.TestCases, Stored), f.EntityId);

    private FormatDto ToDto(MessageFormat f, IReadOnlyList<string> profiles)
    {
        var d = DefinitionOf(f);
        var tests = testResults.Of(f, d.TestCases ?? [], clock.GetUtcNow());
        return new FormatDto(f.Id, f.Name, f.EntityId, f.Kind, f.ExchangeType, f.TopicPattern, d.Discriminator, f.FPort, d.Settings!,
            d.TestCases ?? [], f.Version, f.CreatedAt, f.UpdatedAt, tests, profiles);
    }

    private static async Task<Dictionary<Guid, List<string>>> UsageAsync(Storage.AppDbContext db, Guid? formatId, CancellationToken ct)
    {
        var rows = await db.ProfileFormats.Where(pf => formatId == null || pf.FormatId == formatId)
            .Join(db.Profiles, pf => pf.ProfileId, p => p.Id, (pf, p) => new { pf.FormatId, p.Name }).ToListAsync(ct);
        return rows.GroupBy(r => r.FormatId).ToDictionary(g => g.Key, g => g.Select(r => r.Name).Order().ToList());
    }
}
