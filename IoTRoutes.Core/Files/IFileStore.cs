namespace IoTRoutes.Core.Files;

/// <summary>
/// Where files' bytes live, addressed by entity and file id only (names are the database's business). Content streams
/// in and out; nothing is held whole in memory. Writing is in two steps so that a file is checked before anyone can see
/// it: <see cref="StageAsync"/> copies the content aside, <see cref="IStagedFile.CommitAsync"/> puts it in place.
/// </summary>
public interface IFileStore
{
    /// <summary>Copies <paramref name="content"/> to its end into a staging place; disposing the result unstaged discards it.</summary>
    Task<IStagedFile> StageAsync(Stream content, CancellationToken ct);

    /// <summary>The file's bytes, or null when there are none.</summary>
    Task<Stream?> OpenReadAsync(Guid entityId, Guid fileId, CancellationToken ct);

    /// <summary>Removes the file's bytes; true if there were some.</summary>
    Task<bool> DeleteAsync(Guid entityId, Guid fileId, CancellationToken ct);
}

/// <summary>Content written aside, not yet a file; dispose without committing to throw it away.</summary>
public interface IStagedFile : IAsyncDisposable
{
    /// <summary>Makes the content the file <paramref name="fileId"/> of <paramref name="entityId"/>, all at once.</summary>
    Task CommitAsync(Guid entityId, Guid fileId, CancellationToken ct);
}
