using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace IoTRoutes.Core.Media;

/// <summary>
/// Detects a file's type by its magic numbers, never by its name or declared type. Only formats the interpreters decode
/// are of kind Image or Audio; other known signatures are typed (kind Other), the rest is text or octet-stream.
/// </summary>
public static class MediaSniffer
{
    private static ReadOnlySpan<byte> Png => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> Jpeg => [0xFF, 0xD8, 0xFF];
    private static ReadOnlySpan<byte> Gzip => [0x1F, 0x8B];
    private static ReadOnlySpan<byte> MpegLayer3 => [0xFF, 0xFB];
    private static ReadOnlySpan<byte> Mpeg2Layer3 => [0xFF, 0xF3];

    public static MediaType Detect(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith(Png)) return new(MediaKind.Image, "image/png", "png");
        if (content.StartsWith(Jpeg)) return new(MediaKind.Image, "image/jpeg", "jpeg");
        if (content.StartsWith("GIF87a"u8) || content.StartsWith("GIF89a"u8)) return new(MediaKind.Image, "image/gif", "gif");
        if (IsRiff(content, "WEBP"u8)) return new(MediaKind.Image, "image/webp", "webp");
        if (IsBmp(content)) return new(MediaKind.Image, "image/bmp", "bmp");
        if (IsRiff(content, "WAVE"u8)) return new(MediaKind.Audio, "audio/wav", "wav");
        return OtherType(content);
    }

    private static MediaType OtherType(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith("%PDF-"u8)) return new(MediaKind.Other, "application/pdf", "pdf");
        if (content.StartsWith("PK\x03\x04"u8)) return new(MediaKind.Other, "application/zip", "zip");
        if (content.StartsWith(Gzip)) return new(MediaKind.Other, "application/gzip", "gzip");
        if (content.StartsWith("OggS"u8)) return new(MediaKind.Other, "audio/ogg", "ogg");
        if (content.StartsWith("fLaC"u8)) return new(MediaKind.Other, "audio/flac", "flac");
        if (content.StartsWith("ID3"u8) || content.StartsWith(MpegLayer3) || content.StartsWith(Mpeg2Layer3))
            return new(MediaKind.Other, "audio/mpeg", "mp3");
        if (content.Length >= 12 && content.Slice(4, 4).SequenceEqual("ftyp"u8)) return IsoMediaType(content.Slice(8, 4));
        if (content.Length > 0 && IsText(content))
            return LooksLikeJson(content) ? new(MediaKind.Other, "application/json", "json") : new(MediaKind.Other, "text/plain", "text");
        return MediaType.Unknown;
    }

    private static bool IsRiff(ReadOnlySpan<byte> content, ReadOnlySpan<byte> form) =>
        content.Length >= 12 && content.StartsWith("RIFF"u8) && content.Slice(8, 4).SequenceEqual(form);

    // "BM" alone is too weak a signature: also require a known DIB header size at offset 14.
    private static bool IsBmp(ReadOnlySpan<byte> content) =>
        content.Length >= 18 && content.StartsWith("BM"u8)
        && BitConverter.ToUInt32(content.Slice(14, 4)) is 12 or 40 or 52 or 56 or 64 or 108 or 124;

    private static MediaType IsoMediaType(ReadOnlySpan<byte> brand) => Encoding.ASCII.GetString(brand) switch
    {
        "heic" or "heix" or "mif1" or "msf1" => new(MediaKind.Other, "image/heic", "heic"),
        "avif" or "avis" => new(MediaKind.Other, "image/avif", "avif"),
        "qt  " => new(MediaKind.Other, "video/quicktime", "mov"),
        "M4A " => new(MediaKind.Other, "audio/mp4", "m4a"),
        _ => new(MediaKind.Other, "video/mp4", "mp4"),
    };

    private static bool IsText(ReadOnlySpan<byte> content)
    {
        if (!Utf8.IsValid(content)) return false;
        foreach (var b in content)
            if (b < 0x20 && b is not (byte)'\t' and not (byte)'\n' and not (byte)'\r') return false;
        return true;
    }

    private static bool LooksLikeJson(ReadOnlySpan<byte> content)
    {
        var trimmed = content.Trim(" \t\r\n"u8);
        if (trimmed.IsEmpty || trimmed[0] is not ((byte)'{' or (byte)'[')) return false;
        var reader = new Utf8JsonReader(trimmed);
        try
        {
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
