namespace IoTRoutes.Core.Files;

internal static class FileProjection
{
    /// <summary>Files as DTOs, with their entity's and device's names, in one query.</summary>
    public static IQueryable<FileDto> Of(IQueryable<StoredFile> files) =>
        files.Select(f => new FileDto(
            f.Id, f.Name, f.ContentType, f.Size, f.Sha256, f.Kind, f.EntityId, f.Entity!.Name, f.CreatedAt, f.CreatedBy,
            f.DeviceId, f.Device != null ? f.Device.Name : null, f.MessageId, f.Thumbnail != null));
}
