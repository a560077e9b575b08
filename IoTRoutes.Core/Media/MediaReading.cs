using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Media;

/// <summary>
/// What an interpreter read from one file. <see cref="Fields"/> is ready to become a workflow item: it always holds
/// <c>mediaType</c> and <c>sizeBytes</c>, and the kind's measurements when <see cref="Succeeded"/>.
/// A rejected reading keeps the detected type and size and says why in <see cref="Reason"/> (one sentence).
/// </summary>
public sealed record MediaReading(
    bool Succeeded,
    string? Reason,
    MediaKind Kind,
    string ContentType,
    long SizeBytes,
    JsonObject Fields,
    MediaThumbnail? Thumbnail)
{
    public bool Rejected => !Succeeded;

    internal static MediaReading Read(MediaType type, long sizeBytes, JsonObject fields, MediaThumbnail? thumbnail = null) =>
        new(true, null, type.Kind, type.ContentType, sizeBytes, fields, thumbnail);

    internal static MediaReading Reject(MediaType type, long sizeBytes, string reason) =>
        new(false, reason, type.Kind, type.ContentType, sizeBytes, BasicFields(type, sizeBytes), null);

    internal static JsonObject BasicFields(MediaType type, long sizeBytes) => new()
    {
        ["mediaType"] = type.ContentType,
        ["sizeBytes"] = sizeBytes,
    };
}

/// <summary>A PNG preview of an image, at most <see cref="MediaLimits.ThumbnailMaxSide"/> pixels on its long side.</summary>
public sealed record MediaThumbnail(byte[] Png, int Width, int Height);
