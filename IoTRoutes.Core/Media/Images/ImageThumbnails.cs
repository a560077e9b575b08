using SkiaSharp;

namespace IoTRoutes.Core.Media.Images;

/// <summary>A PNG preview at most <c>maxSide</c> pixels on the long side, with the stored image's aspect.</summary>
internal static class ImageThumbnails
{
    public static MediaThumbnail Make(SKBitmap pixels, int width, int height, int maxSide)
    {
        var scale = Math.Min(1.0, (double)maxSide / Math.Max(width, height));
        var size = new SKImageInfo(
            Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)),
            SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var small = pixels.Resize(size, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
            ?? throw new InvalidOperationException($"Skia could not resize {pixels.Width}×{pixels.Height} to {size.Width}×{size.Height}.");
        using var png = small.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("Skia could not encode the thumbnail as PNG.");
        return new MediaThumbnail(png.ToArray(), size.Width, size.Height);
    }
}
