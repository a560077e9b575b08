using System.Text;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators.FileTransfer;
using IoTRoutes.Core.Files;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Communicators.Actions;

/// <summary>One file to upload: a stored file (<paramref name="FileId"/>) or bytes made by the run (<paramref name="Content"/>).</summary>
/// <param name="RemoteName">The name on the server; null for a stored file's own name.</param>
public sealed record PlannedUpload(string? RemoteName, Guid? FileId, byte[]? Content);

/// <summary>Uploads files for a workflow; answers <c>uploaded</c> (name, size each), or <c>error</c> (one sentence, no secret).</summary>
public sealed class UploadFileEffect(Guid communicatorId, Guid workflowId, IReadOnlyList<PlannedUpload> uploads) : IWorkflowEffect
{
    private const int ShownCsvCharacters = 2000;

    public string Kind => "UploadFile";

    public string Summary => $"upload {(uploads.Count == 1 ? Shown(uploads[0]) : $"{uploads.Count} files")}";

    public JsonObject Describe() => new()
    {
        ["communicatorId"] = communicatorId,
        ["files"] = new JsonArray([.. uploads.Select(u => (JsonNode)Described(u))]),
    };

    private static JsonObject Described(PlannedUpload upload)
    {
        var described = new JsonObject { ["name"] = upload.RemoteName, ["fileId"] = upload.FileId?.ToString("D") };
        if (upload.Content is { } content)
        {
            var text = Encoding.UTF8.GetString(content);
            described["size"] = content.Length;
            described["content"] = text.Length > ShownCsvCharacters ? text[..ShownCsvCharacters] + "…" : text;
        }

        return described;
    }

    private static string Shown(PlannedUpload upload) => upload.RemoteName ?? $"file {upload.FileId}";

    public async ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct)
    {
        var usage = services.GetRequiredService<CommunicatorUsage>();
        try
        {
            var path = await CommunicatorEffects.WorkflowPathAsync(services, workflowId, ct);
            var connection = await usage.LoadAsync(communicatorId, path, [CommunicatorKind.Ftp, CommunicatorKind.Sftp], ct);
            var settings = FileTransferKind.SettingsOf(connection);
            var secrets = FileTransferKind.SecretsOf(connection.Secrets);
            var client = services.GetRequiredService<IFileTransferClient>();
            var uploaded = new JsonArray();
            foreach (var upload in uploads)
            {
                var (name, content) = await OpenAsync(services, path, upload, ct);
                await using (content)
                {
                    await client.UploadAsync(settings, secrets, name, content, ct);
                    uploaded.Add(new JsonObject { ["name"] = name, ["size"] = content.CanSeek ? content.Length : null });
                }
            }

            await usage.RecordAsync(communicatorId, true, null, ct);
            return new JsonObject { ["uploaded"] = uploaded };
        }
        catch (CommunicatorException e)
        {
            await usage.RecordAsync(communicatorId, false, e.Message, ct);
            return new JsonObject { [CommunicatorEffects.ErrorMember] = $"Not uploaded: {e.Message}" };
        }
        catch (UploadSourceException e)
        {
            return new JsonObject { [CommunicatorEffects.ErrorMember] = $"Not uploaded: {e.Message}" };
        }
    }

    /// <summary>The name and bytes of one upload; a stored file must belong to the workflow's entity or one below it.</summary>
    private static async Task<(string Name, Stream Content)> OpenAsync(IServiceProvider services, string workflowPath, PlannedUpload upload, CancellationToken ct)
    {
        if (upload.Content is { } bytes) return (upload.RemoteName!, new MemoryStream(bytes, writable: false));
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
        var file = await db.Files.IgnoreQueryFilters().AsNoTracking().Where(f => f.Id == upload.FileId)
            .Select(f => new { f.Id, f.Name, f.EntityId, f.Entity!.Path }).SingleOrDefaultAsync(ct);
        if (file is null || !file.Path.StartsWith(workflowPath, StringComparison.Ordinal))
            throw new UploadSourceException($"There is no file {upload.FileId} in this workflow's part of the entity tree.");
        var name = upload.RemoteName ?? file.Name;
        if (RemoteFileName.Problem(name) is { } problem) throw new UploadSourceException(problem);
        var content = await services.GetRequiredService<IFileStore>().OpenReadAsync(file.EntityId, file.Id, ct)
                      ?? throw new UploadSourceException($"The file {file.Name} has no content any more.");
        return (name, content);
    }

    private sealed class UploadSourceException(string message) : Exception(message);
}
