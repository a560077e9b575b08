using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Files;

/// <summary>
/// Files for users: list, read, upload, delete, always within the caller's part of the entity tree and with the
/// permission Files View (reads) or Manage (changes). Uploads and deletes are audited.
/// </summary>
public sealed class FileService(ScopedContexts contexts, FileSaver saver, IFileStore store, AuditTrail audit)
{
    /// <summary>The largest file an upload may have.</summary>
    public long MaxBytes => saver.MaxBytes;

    public async Task<FilePage> ListAsync(FileQuery query, CancellationToken ct)
    {
        if (query.Validate() is not null)
        {
            throw new ArgumentException("Invalid file query; call Validate() first.", nameof(query));
        }

        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Files), ct);
        await using var _db = db;
        // One more than asked says whether there is a next page.
        var rows = await FileProjection.Of(query.Apply(db.Files.AsNoTracking()).OrderByDescending(f => f.Id).Take(query.Limit + 1)).ToListAsync(ct);
        var page = rows.Take(query.Limit).ToList();
        return new FilePage(page, rows.Count > query.Limit ? page[^1].Id : null);
    }

    /// <summary>Null when there is no such file for the caller.</summary>
    public async Task<FileDto?> FindAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Files), ct);
        await using var _db = db;
        return await FileProjection.Of(db.Files.AsNoTracking().Where(f => f.Id == id)).SingleOrDefaultAsync(ct);
    }

    /// <summary>The file and its bytes, or null when there is no such file for the caller (or its bytes are gone).</summary>
    /// <summary>An image file's PNG preview, or null (no such file in the caller's part of the tree, or not an image).</summary>
    public async Task<byte[]?> ThumbnailAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Files), ct);
        await using (db)
        {
            return await db.Files.AsNoTracking().Where(f => f.Id == id).Select(f => f.Thumbnail).SingleOrDefaultAsync(ct);
        }
    }

    public async Task<FileDownload?> OpenAsync(Guid id, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } file)
        {
            return null;
        }

        return await store.OpenReadAsync(file.EntityId, file.Id, ct) is { } content ? new FileDownload(file, content) : null;
    }

    /// <summary>Saves an upload into <see cref="UploadFileRequest.EntityId"/> (default: the caller's entity), which must be in the caller's scope.</summary>
    public async Task<FileSaveResult> SaveAsync(UploadFileRequest request, Stream content, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Files), ct);
        await using var _db = db;
        var entityId = request.EntityId ?? caller.Scope.EntityId;
        if (!await db.Entities.AnyAsync(e => e.Id == entityId, ct))
        {
            // Outside the caller's scope looks exactly like not existing.
            return FileSaveResult.Refused(FileSaveError.UnknownEntity, $"There is no entity {entityId}.");
        }

        var email = caller.UserId is { } userId ? await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(ct) : null;
        var result = await saver.SaveAsync(
            new NewFile(entityId, request.Name, FileKind.Upload, email ?? "?", request.DeclaredType, caller.UserId), content, ct);
        if (result.File is { } saved)
        {
            await audit.RecordAsync(AuditActions.FileUploaded, caller, saved.Name,
                $"{FileSize.Format(saved.Size)}, {saved.ContentType}, in {saved.EntityName}, id {saved.Id}", CancellationToken.None);
        }

        return result;
    }

    /// <summary>Deletes the file's record, then its bytes; false when there is no such file for the caller.</summary>
    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Files), ct);
        await using var _db = db;
        var file = await db.Files.Where(f => f.Id == id).Select(f => new { f.EntityId, f.Name, f.Kind, EntityName = f.Entity!.Name }).SingleOrDefaultAsync(ct);
        if (file is null || await db.Files.Where(f => f.Id == id).ExecuteDeleteAsync(ct) == 0)
        {
            return false;
        }

        // No longer listed: what follows must happen whatever the caller does now.
        await store.DeleteAsync(file.EntityId, id, CancellationToken.None);
        await audit.RecordAsync(AuditActions.FileDeleted, caller, file.Name, $"{file.Kind} in {file.EntityName}, id {id}", CancellationToken.None);
        return true;
    }
}
