namespace IoTRoutes.Core.Files;

/// <summary>A stored file as pages and the API show it.</summary>
public sealed record FileDto(
    Guid Id,
    string Name,
    string ContentType,
    long Size,
    string Sha256,
    FileKind Kind,
    Guid EntityId,
    string EntityName,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    Guid? DeviceId,
    string? DeviceName,
    Guid? MessageId,
    bool HasThumbnail = false);

public sealed record FilePage(IReadOnlyList<FileDto> Items, Guid? NextCursor);

/// <summary>A file to download: its record and its bytes (the caller disposes <see cref="Content"/>).</summary>
public sealed record FileDownload(FileDto File, Stream Content);

/// <summary>A user's upload: the name and type the client gave (both only claims), and the entity (default: the user's own).</summary>
public sealed record UploadFileRequest(string? Name, string? DeclaredType, Guid? EntityId = null);

/// <summary>
/// A file the platform saves on its own (a job's report, a device's media) through <see cref="FileSaver"/>:
/// <paramref name="CreatedBy"/> says who made it; <paramref name="EffectKey"/> makes a repeated save answer the first.
/// </summary>
public sealed record NewFile(
    Guid EntityId,
    string? Name,
    FileKind Kind,
    string CreatedBy,
    string? DeclaredType = null,
    Guid? CreatedByUserId = null,
    Guid? DeviceId = null,
    Guid? MessageId = null,
    string? EffectKey = null);

public enum FileSaveError
{
    Empty,
    TooLarge,
    ContentMismatch,
    UnknownEntity,
    UnknownDevice,
}

/// <summary>The saved file, or why it was refused (<see cref="Field"/> names the part of the request at fault).</summary>
public sealed record FileSaveResult(FileDto? File, FileSaveError? Error = null, string? Problem = null)
{
    public string Field => Error switch
    {
        FileSaveError.UnknownEntity => "entityId",
        FileSaveError.UnknownDevice => "deviceId",
        _ => "file",
    };

    public static FileSaveResult Refused(FileSaveError error, string problem) => new(null, error, problem);
}
