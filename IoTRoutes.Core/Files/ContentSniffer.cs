namespace IoTRoutes.Core.Files;

/// <summary>A type <see cref="ContentSniffer"/> recognises: its MIME type, how people call it, and what else claims it.</summary>
public sealed record FileFormat(string ContentType, string Label, string[] Extensions, string[] Aliases)
{
    /// <summary>Images, audio, video and PDF: a claim of one of these is checked against the content.</summary>
    public bool IsVerified =>
        ContentType.StartsWith("image/", StringComparison.Ordinal) || ContentType.StartsWith("audio/", StringComparison.Ordinal)
        || ContentType.StartsWith("video/", StringComparison.Ordinal) || ContentType == "application/pdf";
}

/// <summary>The type a file is stored and served as, or why it is refused.</summary>
public sealed record ContentDecision(string? ContentType, string? Problem);

/// <summary>
/// Decides a file's type from its content (magic numbers; text when it is valid UTF-8 without NUL), never from its name.
/// A name or declared type claiming an image, audio, video or PDF the content is not is refused: such a file would be
/// shown or opened as something it is not. Any other claim gives way to what the content is.
/// </summary>
public static class ContentSniffer
{
    public static readonly FileFormat Png = new("image/png", "a PNG image", [".png"], []);
    public static readonly FileFormat Jpeg = new("image/jpeg", "a JPEG image", [".jpg", ".jpeg", ".jfif", ".jpe"], ["image/jpg", "image/pjpeg"]);
    public static readonly FileFormat Gif = new("image/gif", "a GIF image", [".gif"], []);
    public static readonly FileFormat WebP = new("image/webp", "a WebP image", [".webp"], []);
    public static readonly FileFormat Bmp = new("image/bmp", "a BMP image", [".bmp"], ["image/x-bmp", "image/x-ms-bmp"]);
    public static readonly FileFormat Pdf = new("application/pdf", "a PDF document", [".pdf"], ["application/x-pdf"]);
    public static readonly FileFormat Zip = new("application/zip", "a ZIP archive", [".zip"], ["application/x-zip-compressed"]);
    public static readonly FileFormat Wav = new("audio/wav", "a WAV recording", [".wav"], ["audio/x-wav", "audio/wave", "audio/vnd.wave"]);
    public static readonly FileFormat Mp3 = new("audio/mpeg", "an MP3 recording", [".mp3"], ["audio/mp3"]);
    public static readonly FileFormat Mp4 = new("video/mp4", "an MP4 file", [".mp4", ".m4a", ".m4v"], ["audio/mp4", "audio/x-m4a", "video/x-m4v"]);
    public static readonly FileFormat Gzip = new("application/gzip", "a gzip archive", [".gz", ".tgz"], ["application/x-gzip"]);
    public static readonly FileFormat Json = new("application/json", "JSON", [".json"], []);
    public static readonly FileFormat Csv = new("text/csv", "CSV", [".csv"], []);
    public static readonly FileFormat Text = new("text/plain", "plain text", [".txt", ".log"], []);
    public static readonly FileFormat Binary = new("application/octet-stream", "binary data", [], []);

    public static readonly IReadOnlyList<FileFormat> All = [Png, Jpeg, Gif, WebP, Bmp, Pdf, Zip, Wav, Mp3, Mp4, Gzip, Json, Csv, Text, Binary];

    /// <summary>The stored type of <paramref name="content"/>, or the problem when its name or declared type lies about it.</summary>
    public static ContentDecision Decide(InspectedContent content, string name, string? declaredType)
    {
        var actual = Sniff(content, name);
        var byName = All.FirstOrDefault(f => f.Extensions.Contains(Path.GetExtension(name), StringComparer.OrdinalIgnoreCase));
        if (byName is { IsVerified: true } && byName != actual)
        {
            return new ContentDecision(null, $"“{name}” is named as {byName.Label}, but its content is {actual.Label}.");
        }

        var declared = MediaTypeOf(declaredType);
        var byType = All.FirstOrDefault(f => f.ContentType == declared || f.Aliases.Contains(declared));
        return byType is { IsVerified: true } && byType != actual
            ? new ContentDecision(null, $"“{name}” is declared as {declared} ({byType.Label}), but its content is {actual.Label}.")
            : new ContentDecision(actual.ContentType, null);
    }

    public static FileFormat Sniff(InspectedContent content, string name)
    {
        var head = content.Head.AsSpan();
        if (head.StartsWith((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return Png;
        if (head.StartsWith((byte[])[0xFF, 0xD8, 0xFF])) return Jpeg;
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return Gif;
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return WebP;
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WAVE"u8)) return Wav;
        if (head.Length >= 14 && head.StartsWith("BM"u8)) return Bmp;
        if (head.StartsWith("%PDF-"u8)) return Pdf;
        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8)) return Zip;
        if (head.StartsWith((byte[])[0x1F, 0x8B])) return Gzip;
        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8)) return Mp4;
        if (head.StartsWith("ID3"u8) || (head.Length >= 2 && head[0] == 0xFF && head[1] is 0xFB or 0xF3 or 0xF2)) return Mp3;
        if (!content.IsText || content.Size == 0)
        {
            return Binary;
        }

        return LooksLikeJson(content) ? Json
            : LooksLikeCsv(head) || Path.GetExtension(name).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? Csv
            : Text;
    }

    private static string MediaTypeOf(string? declared) =>
        (declared?.Split(';', 2)[0].Trim() ?? "").ToLowerInvariant();

    private static bool LooksLikeJson(InspectedContent content)
    {
        var head = content.Head.AsSpan();
        if (head.StartsWith((byte[])[0xEF, 0xBB, 0xBF]))
        {
            head = head[3..];
        }

        var first = head.IndexOfAnyExcept(" \t\r\n"u8);
        return first >= 0 && (head[first], content.LastNonWhitespace) is ((byte)'{', (byte)'}') or ((byte)'[', (byte)']');
    }

    /// <summary>Two first lines with the same number (at least one) of commas, or of semicolons.</summary>
    private static bool LooksLikeCsv(ReadOnlySpan<byte> head)
    {
        var firstEnd = head.IndexOf((byte)'\n');
        if (firstEnd < 0)
        {
            return false;
        }

        var rest = head[(firstEnd + 1)..];
        var secondEnd = rest.IndexOf((byte)'\n');
        var first = head[..firstEnd];
        var second = secondEnd < 0 ? rest : rest[..secondEnd];
        foreach (var separator in ",;"u8)
        {
            var count = first.Count(separator);
            if (count > 0 && second.Count(separator) == count)
            {
                return true;
            }
        }

        return false;
    }
}
