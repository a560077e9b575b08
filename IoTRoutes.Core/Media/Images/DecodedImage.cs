using SkiaSharp;

namespace IoTRoutes.Core.Media.Images;

/// <summary>
/// An image decoded for measuring: its pixels (RGBA, unpremultiplied; possibly reduced from the stored size) and its
/// mean luma over every decoded pixel.
/// </summary>
internal sealed class DecodedImage(SKBitmap pixels, double brightness) : IDisposable
{
    public SKBitmap Pixels => pixels;

    /// <summary>Mean Rec. 709 luma of the stored (gamma-encoded) colours, 0 = black, 1 = white; alpha is ignored.</summary>
    public double Brightness => brightness;

    public void Dispose() => pixels.Dispose();
}

/// <summary>Sums of Rec. 709 luma over RGBA rows, in integer units of 1/(255 × 10,000).</summary>
internal static class Luma
{
    public const double UnitsPerWhite = 255.0 * 10_000;

    public static long SumRow(ReadOnlySpan<byte> rgba)
    {
        long sum = 0;
        for (var i = 0; i + 3 < rgba.Length; i += 4) sum += 2126L * rgba[i] + 7152L * rgba[i + 1] + 722L * rgba[i + 2];
        return sum;
    }
}
