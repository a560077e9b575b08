namespace IoTRoutes.Core.Files;

/// <summary>Where a file came from.</summary>
public enum FileKind
{
    /// <summary>Uploaded by a user (page or API).</summary>
    Upload,

    /// <summary>Made by the platform, e.g. a planned job's report.</summary>
    Report,

    /// <summary>Sent by a device (a picture, a recording).</summary>
    Media,
}

/// <summary>
/// A stored file's record; its bytes are in the <see cref="IFileStore"/> under the entity and file ids, never under the
/// name, which is only shown.
/// </summary>
public sealed class StoredFile
{
    /// <summary>Version 7 UUID: time-ordered, so "newest first" is by id.</summary>
    public Guid Id { get; set; }

    public Guid EntityId { get; set; }
    public Entities.Entity? Entity { get; set; }

    /// <summary>The name as given, made safe by <see cref="SafeFileName"/>.</summary>
    public required string Name { get; set; }

    /// <summary>Decided from the content by <see cref="ContentSniffer"/>, not from the name.</summary>
    public required string ContentType { get; set; }

    public long Size { get; set; }

    /// <summary>SHA-256 of the content, lower-case hex.</summary>
    public required string Sha256 { get; set; }

    public FileKind Kind { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public Guid? CreatedByUserId { get; set; }

    /// <summary>Who made it, as shown: the user's e-mail, or what the platform says (a job's name, a device).</summary>
    public required string CreatedBy { get; set; }

    /// <summary>For media: the device that sent it (cleared if the device is deleted; the file stays).</summary>
    public Guid? DeviceId { get; set; }
    public Devices.Device? Device { get; set; }

    /// <summary>For media: the message it came in (no foreign key, as messages have none).</summary>
    public Guid? MessageId { get; set; }

    /// <summary>
    /// Set by a save that may be repeated (a workflow run after a crash, see <c>RunContext.EffectKey</c>): unique, so the
    /// second save answers the first file instead of storing it twice.
    /// </summary>
    public string? EffectKey { get; set; }

    /// <summary>For an image: a small PNG preview (see <c>MediaThumbnail</c>) the device page shows; null otherwise.</summary>
    public byte[]? Thumbnail { get; set; }
}
