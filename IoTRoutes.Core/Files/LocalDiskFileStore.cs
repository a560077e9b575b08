using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Files;

/// <summary>
/// Files on local disk at <c>&lt;DataDirectory&gt;/files/&lt;entity id&gt;/&lt;file id&gt;</c>. Paths are built from ids
/// only, so no name can reach outside the folder. Content is written to <c>files/.staging/</c> first and moved into
/// place (an atomic rename on the same volume): a crash leaves at most a stray staging file, never a half file in place.
/// </summary>
public sealed class LocalDiskFileStore : IFileStore
{
    private const int BufferSize = 81920;
    private readonly string _root;
    private readonly string _staging;

    public LocalDiskFileStore(IOptions<IoTRoutesOptions> options)
    {
        _root = Path.Combine(options.Value.ResolveDataDirectory(), "files");
        _staging = Path.Combine(_root, ".staging");
    }

    public string Root => _root;

    public async Task<IStagedFile> StageAsync(Stream content, CancellationToken ct)
    {
        Directory.CreateDirectory(_staging);
        var path = Path.Combine(_staging, Guid.NewGuid().ToString("N"));
        try
        {
            await using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await content.CopyToAsync(target, BufferSize, ct);
                await target.FlushAsync(ct);
            }

            return new Staged(this, path);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    public Task<Stream?> OpenReadAsync(Guid entityId, Guid fileId, CancellationToken ct)
    {
        var path = PathOf(entityId, fileId);
        try
        {
            return Task.FromResult<Stream?>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, useAsync: true));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task<bool> DeleteAsync(Guid entityId, Guid fileId, CancellationToken ct)
    {
        var path = PathOf(entityId, fileId);
        var existed = File.Exists(path);
        File.Delete(path);
        return Task.FromResult(existed);
    }

    /// <summary>Where a file's bytes are: ids formatted by us, so the path always stays under <see cref="Root"/>.</summary>
    public string PathOf(Guid entityId, Guid fileId) => Path.Combine(_root, entityId.ToString("D"), fileId.ToString("N"));

    private sealed class Staged(LocalDiskFileStore store, string path) : IStagedFile
    {
        private bool _committed;

        public Task CommitAsync(Guid entityId, Guid fileId, CancellationToken ct)
        {
            var target = store.PathOf(entityId, fileId);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(path, target, overwrite: false);
            _committed = true;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (!_committed)
            {
                File.Delete(path);
            }

            return ValueTask.CompletedTask;
        }
    }
}
