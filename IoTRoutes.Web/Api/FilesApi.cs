using IoTRoutes.Core.Files;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public static class FilesApi
{
    /// <summary>Room for the multipart framing and the small fields around the file itself.</summary>
    private const long FormOverheadBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapFilesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/files").WithTags("Files").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListFiles").WithSummary("List files")
            .WithDescription($"Files, newest first: kind (Upload, Report, Media), name (a part of it, any case), deviceId; limit 1-{FileQuery.MaxLimit}, " +
                         $"default {FileQuery.DefaultLimit}; the next page with cursor=nextCursor.")
            .RequirePermission(Permission.View(SecuredObject.Files));
        api.MapPost("/", UploadAsync).WithName("UploadFile").WithSummary("Upload a file")
            .WithDescription("Upload a file as multipart/form-data: field file, optional entityId (default: yours). Its type is decided by its " +
                         "content; a name or type claiming an image, audio, video or PDF it is not is refused. 413 above the size limit.")
            .Accepts<IFormFile>("multipart/form-data")
            .RequirePermission(Permission.Manage(SecuredObject.Files));
        api.MapGet("/{id:guid}", DownloadAsync).WithName("DownloadFile").WithSummary("Download a file")
            .WithDescription("The file's bytes, as an attachment under its name.")
            .RequirePermission(Permission.View(SecuredObject.Files));
        api.MapGet("/{id:guid}/info", GetAsync).WithName("GetFile").WithSummary("Get a file's record")
            .WithDescription("The file's record: name, type, size, SHA-256, kind, entity, who made it and when.")
            .RequirePermission(Permission.View(SecuredObject.Files));
        api.MapGet("/{id:guid}/thumbnail", ThumbnailAsync).WithName("GetFileThumbnail").WithSummary("Get an image's thumbnail")
            .WithDescription("An image's small PNG preview (hasThumbnail in its record); 404 for other files.")
            .RequirePermission(Permission.View(SecuredObject.Files));
        api.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteFile").WithSummary("Delete a file")
            .WithDescription("Delete the file's record and its bytes on disk.").RequirePermission(Permission.Manage(SecuredObject.Files));

        // The Files page's download links and previews: same service, browser cookie instead of a bearer token.
        app.MapGet("/files/{id:guid}/download", DownloadAsync).RequireAuthorization(Policies.FilesView).ExcludeFromDescription();
        app.MapGet("/files/{id:guid}/thumbnail", ThumbnailAsync).RequireAuthorization(Policies.FilesView).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<FilePage>, ValidationProblem>> ListAsync(
        string? kind, string? name, Guid? deviceId, Guid? cursor, int? limit, FileService files, CancellationToken ct)
    {
        FileKind? parsed = null;
        if (!string.IsNullOrWhiteSpace(kind))
        {
            if (!char.IsLetter(kind[0]) || !Enum.TryParse<FileKind>(kind, ignoreCase: true, out var k) || !Enum.IsDefined(k))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["kind"] = [$"kind is one of {string.Join(", ", Enum.GetNames<FileKind>())}; '{kind}' is not one."],
                });
            }

            parsed = k;
        }

        var query = new FileQuery(parsed, name, deviceId, cursor, limit ?? FileQuery.DefaultLimit);
        return query.Validate() is { } errors ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(await files.ListAsync(query, ct));
    }

    private static async Task<Results<Ok<FileDto>, ProblemHttpResult>> GetAsync(Guid id, FileService files, CancellationToken ct) =>
        await files.FindAsync(id, ct) is { } file ? TypedResults.Ok(file) : NotFoundProblem.File(id);

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadAsync(
        Guid id, FileService files, HttpContext context, CancellationToken ct)
    {
        if (await files.OpenAsync(id, ct) is not { } download)
        {
            return NotFoundProblem.File(id);
        }

        // The stored type comes from the content, never text/html; still, the browser must not guess another.
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentSecurityPolicy = "sandbox";
        return TypedResults.Stream(download.Content, download.File.ContentType, download.File.Name, enableRangeProcessing: true);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ThumbnailAsync(Guid id, FileService files, HttpContext context, CancellationToken ct)
    {
        if (await files.ThumbnailAsync(id, ct) is not { } png)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No thumbnail",
                detail: $"There is no image file {id} with a thumbnail in your part of the entity tree.");
        }

        context.Response.Headers.CacheControl = "private, max-age=3600"; // a file never changes: its preview neither
        return TypedResults.File(png, "image/png");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, FileService files, CancellationToken ct) =>
        await files.DeleteAsync(id, ct) ? TypedResults.NoContent() : NotFoundProblem.File(id);

    private static async Task<Results<Created<FileDto>, ValidationProblem, ProblemHttpResult>> UploadAsync(
        HttpContext context, FileService files, CancellationToken ct)
    {
        if (!context.Request.HasFormContentType)
        {
            return Invalid("file", "Send the file as multipart/form-data, in a field named file.");
        }

        var limit = files.MaxBytes + FormOverheadBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit;
        }

        // Files above 64 KiB are spooled to a temporary file by the form reader, not held in memory.
        context.Features.Set<IFormFeature>(new FormFeature(context.Request, new FormOptions { MultipartBodyLengthLimit = limit }));
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } or InvalidDataException)
        {
            return TooLarge(files.MaxBytes);
        }

        if (form.Files.GetFile("file") is not { } file)
        {
            return Invalid("file", "Send the file as multipart/form-data, in a field named file.");
        }

        Guid? entityId = null;
        if (form.TryGetValue("entityId", out var entityText) && !string.IsNullOrWhiteSpace(entityText))
        {
            if (!Guid.TryParse(entityText, out var parsed))
            {
                return Invalid("entityId", $"'{entityText}' is not an entity id.");
            }

            entityId = parsed;
        }

        await using var content = file.OpenReadStream();
        var result = await files.SaveAsync(new UploadFileRequest(file.FileName, file.ContentType, entityId), content, ct);
        return result switch
        {
            { File: { } saved } => TypedResults.Created($"/api/v1/files/{saved.Id}", saved),
            { Error: FileSaveError.TooLarge } => TooLarge(files.MaxBytes, result.Problem),
            _ => Invalid(result.Field, result.Problem!),
        };
    }

    private static ValidationProblem Invalid(string field, string problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [problem] });

    private static ProblemHttpResult TooLarge(long maxBytes, string? detail = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "File too large",
            detail: detail ?? $"A file may have at most {FileSize.Format(maxBytes)}.");
}
