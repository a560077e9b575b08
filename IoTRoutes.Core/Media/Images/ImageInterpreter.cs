using SkiaSharp;

namespace IoTRoutes.Core.Media.Images;

/// <summary>
/// Reads an image with SkiaSharp: dimensions from the header first (a file declaring more pixels than the limit is
/// Rejected before any decoding), then the pixels at a reduced size for brightness and the thumbnail.
/// </summary>
internal static class ImageInterpreter
{
    public static MediaReading Interpret(ReadOnlySpan<byte> file, MediaType type, MediaLimits limits, MediaDeadline deadline)
    {
        var name = type.Format.ToUpperInvariant();
        using var data = SKData.CreateCopy(file);
        // The codec owns the stream from here on (and frees it when it cannot be created).
        using var codec = SKCodec.Create(new SKMemoryStream(data), out var created);
        if (codec is null)
        {
            return MediaReading.Reject(type, file.Length, created == SKCodecResult.IncompleteInput
                ? $"The {name} image is truncated: the file ends inside its header."
                : $"The file starts like a {name} image but its header is not valid {name}.");
        }

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0) return MediaReading.Reject(type, file.Length, $"The {name} image declares no pixels ({width} × {height}).");
        var pixels = (long)width * height;
        if (pixels > limits.MaxPixels)
        {
            return MediaReading.Reject(type, file.Length,
                $"The {name} image declares {width:N0} × {height:N0} pixels ({Megapixels(pixels)} megapixels), " +
                $"more than the limit of {Megapixels(limits.MaxPixels)} megapixels.");
        }

        deadline.Check();
        using var decoded = ImageDecoder.Decode(codec, deadline, out var result);
        if (decoded is null) return MediaReading.Reject(type, file.Length, DecodeFailure(name, result));

        var thumbnail = ImageThumbnails.Make(decoded.Pixels, width, height, limits.ThumbnailMaxSide);
        var fields = MediaReading.BasicFields(type, file.Length);
        fields["format"] = type.Format;
        fields["width"] = width;
        fields["height"] = height;
        fields["brightness"] = Math.Round(decoded.Brightness, 4);
        return MediaReading.Read(type, file.Length, fields, thumbnail);
    }

    private static string Megapixels(long pixels) => (pixels / 1_000_000.0).ToString("#,0.#");

    private static string DecodeFailure(string name, SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => $"The {name} image is truncated: the file ends before all its pixels.",
        SKCodecResult.ErrorInInput or SKCodecResult.InvalidInput => $"The {name} image is damaged: its pixel data is not valid {name}.",
        SKCodecResult.InternalError => $"The {name} image could not be decoded: there was not enough memory for its pixels.",
        _ => $"The {name} image could not be decoded ({result}).",
    };
}
