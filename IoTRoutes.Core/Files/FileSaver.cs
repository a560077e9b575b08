using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Files;

/// <summary>
/// Saves a file for the platform itself, with no user and no permission check: a planned job's report, a device's
/// media. <see cref="FileService"/> calls it for users' uploads after checking theirs. The content streams once through
/// a <see cref="ContentInspector"/> into the store's staging place; only a file within the size limit, not empty and
/// whose name and declared type do not lie about it is put in place and recorded.
/// </summary>
public sealed class FileSaver(IDbContextFactory<AppDbContext> contexts, IFileStore store, IOptions<FilesOptions> options, TimeProvider clock)
{
    public long MaxBytes => options.Value.MaxBytes;

    public async Task<FileSaveResult> SaveAsync(NewFile file, Stream content, CancellationToken ct)
    {
        if (file.EffectKey is { Length: > FileRules.MaxEffectKeyLength })
        {
            throw new ArgumentException($"An effect key has at most {FileRules.MaxEffectKeyLength} characters.", nameof(file));
        }

        await using var db = await contexts.CreateDbContextAsync(ct); // the whole tree: the caller said which entity
        if (file.EffectKey is { } key && await FindByKeyAsync(db, key, ct) is { } earlier)
        {
            return new FileSaveResult(earlier);
        }

        if (!await db.Entities.AnyAsync(e => e.Id == file.EntityId, ct))
        {
            return FileSaveResult.Refused(FileSaveError.UnknownEntity, $"There is no entity {file.EntityId}.");
        }

        if (file.DeviceId is { } deviceId && !await db.Devices.AnyAsync(d => d.Id == deviceId, ct))
        {
            return FileSaveResult.Refused(FileSaveError.UnknownDevice, $"There is no device {deviceId}.");
        }

        var name = SafeFileName.Of(file.Name);
        using var inspector = new ContentInspector();
        var inspecting = new InspectingStream(content, inspector, MaxBytes);
        await using var staged = await store.StageAsync(inspecting, ct);
        var inspected = inspector.Finish(inspecting.TooLarge);
        if (inspected.TooLarge)
        {
            return FileSaveResult.Refused(FileSaveError.TooLarge, $"“{name}” is larger than the {FileSize.Format(MaxBytes)} a file may have.");
        }

        if (inspected.Size == 0)
        {
            return FileSaveResult.Refused(FileSaveError.Empty, $"“{name}” is empty.");
        }

        var decision = ContentSniffer.Decide(inspected, name, file.DeclaredType);
        if (decision.Problem is { } lie)
        {
            return FileSaveResult.Refused(FileSaveError.ContentMismatch, lie);
        }

        var row = new StoredFile
        {
            Id = Guid.CreateVersion7(), EntityId = file.EntityId, Name = name, ContentType = decision.ContentType!, Size = inspected.Size,
            Sha256 = inspected.Sha256, Kind = file.Kind, CreatedAt = clock.GetUtcNow(), CreatedByUserId = file.CreatedByUserId,
            CreatedBy = TextLimits.Clip(file.CreatedBy, FileRules.MaxCreatedByLength)!, DeviceId = file.DeviceId, MessageId = file.MessageId,
            EffectKey = file.EffectKey,
        };
        await staged.CommitAsync(row.EntityId, row.Id, ct);
        try
        {
            db.Files.Add(row);
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is DbUpdateException or OperationCanceledException)
        {
            // Not recorded, so never listed: its bytes go too. A concurrent save with the same key won; answer its file.
            await store.DeleteAsync(row.EntityId, row.Id, CancellationToken.None);
            if (e is DbUpdateException && file.EffectKey is { } raced)
            {
                await using var again = await contexts.CreateDbContextAsync(CancellationToken.None);
                if (await FindByKeyAsync(again, raced, CancellationToken.None) is { } winner)
                {
                    return new FileSaveResult(winner);
                }
            }

            throw;
        }

        return new FileSaveResult(await FileProjection.Of(db.Files.AsNoTracking().Where(f => f.Id == row.Id)).SingleAsync(ct));
    }

    private static Task<FileDto?> FindByKeyAsync(AppDbContext db, string key, CancellationToken ct) =>
        FileProjection.Of(db.Files.AsNoTracking().Where(f => f.EffectKey == key)).SingleOrDefaultAsync(ct);
}
