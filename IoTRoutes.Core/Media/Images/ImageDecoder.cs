using System.Runtime.InteropServices;
using SkiaSharp;

namespace IoTRoutes.Core.Media.Images;

/// <summary>
/// Decodes an image for measuring without holding more pixels than needed: at a reduced size when the codec scales
/// natively (JPEG by eighths, WebP freely), else row by row into a reduced grid when the codec decodes scanlines, else
/// (PNG and GIF in Skia 4) whole, which the pixel limit checked beforehand bounds.
/// </summary>
internal static class ImageDecoder
{
    /// <summary>The long side of the pixels kept for the thumbnail; brightness is measured over what is decoded.</summary>
    public const int AnalysisLongSide = 1024;

    private const int RowsBetweenChecks = 64;

    public static DecodedImage? Decode(SKCodec codec, MediaDeadline deadline, out SKCodecResult result)
    {
        var full = codec.Info;
        var longSide = Math.Max(full.Width, full.Height);
        var target = codec.GetScaledDimensions(Math.Min(1f, (float)AnalysisLongSide / longSide));
        if (longSide > AnalysisLongSide && target.Width == full.Width && target.Height == full.Height)
        {
            var factor = (longSide + AnalysisLongSide - 1) / AnalysisLongSide;
            var fullInfo = Rgba(full.Width, full.Height);
            result = codec.StartScanlineDecode(fullInfo);
            if (result == SKCodecResult.Success) return ReduceScanlines(codec, fullInfo, factor, deadline, out result);
        }
        deadline.Check();
        var info = Rgba(target.Width, target.Height);
        var bitmap = new SKBitmap();
        if (!bitmap.TryAllocPixels(info))
        {
            bitmap.Dispose();
            result = SKCodecResult.InternalError;
            return null;
        }
        result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            return null;
        }
        try
        {
            return new DecodedImage(bitmap, MeanLuma(bitmap, deadline));
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    private static SKImageInfo Rgba(int width, int height) => new(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);

    private static double MeanLuma(SKBitmap bitmap, MediaDeadline deadline)
    {
        var pixels = bitmap.GetPixelSpan();
        var rowBytes = bitmap.RowBytes;
        long sum = 0;
        for (var y = 0; y < bitmap.Height; y++)
        {
            if (y % RowsBetweenChecks == 0) deadline.Check();
            sum += Luma.SumRow(pixels.Slice(y * rowBytes, bitmap.Width * 4));
        }
        return sum / (Luma.UnitsPerWhite * bitmap.Width * bitmap.Height);
    }

    // Averages each factor × factor block of source pixels into one pixel of the kept grid, one row in memory at a time.
    private static DecodedImage? ReduceScanlines(
        SKCodec codec, SKImageInfo fullInfo, int factor, MediaDeadline deadline, out SKCodecResult result)
    {
        var (width, height) = (fullInfo.Width, fullInfo.Height);
        var gridWidth = (width + factor - 1) / factor;
        var gridHeight = (height + factor - 1) / factor;
        var grid = new SKBitmap(Rgba(gridWidth, gridHeight));
        DecodedImage? decoded = null;
        try
        {
            decoded = ReduceInto(grid, codec, width, height, factor, deadline, out result);
            return decoded;
        }
        finally
        {
            if (decoded is null) grid.Dispose();
        }
    }

    private static DecodedImage? ReduceInto(
        SKBitmap grid, SKCodec codec, int width, int height, int factor, MediaDeadline deadline, out SKCodecResult result)
    {
        var gridWidth = grid.Width;
        using var row = new SKBitmap(Rgba(width, 1));
        var sums = new long[gridWidth * 4];
        var counts = new int[gridWidth];
        var gridRow = new byte[gridWidth * 4];
        var currentGridRow = -1;
        long lumaSum = 0;
        for (var y = 0; y < height; y++)
        {
            if (y % RowsBetweenChecks == 0) deadline.Check();
            if (codec.GetScanlines(row.GetPixels(), 1, row.RowBytes) != 1)
            {
                result = SKCodecResult.IncompleteInput;
                return null;
            }
            // Rows arrive in the codec's order (a BMP's bottom-up), so place each by its output row.
            var gridY = codec.GetOutputScanline(y) / factor;
            if (gridY != currentGridRow && currentGridRow >= 0) EmitRow(currentGridRow);
            currentGridRow = gridY;
            var pixels = row.GetPixelSpan()[..(width * 4)];
            lumaSum += Luma.SumRow(pixels);
            for (var x = 0; x < width; x++)
            {
                var cell = x / factor;
                for (var k = 0; k < 4; k++) sums[cell * 4 + k] += pixels[x * 4 + k];
                counts[cell]++;
            }
        }
        EmitRow(currentGridRow);
        result = SKCodecResult.Success;
        return new DecodedImage(grid, lumaSum / (Luma.UnitsPerWhite * width * height));

        void EmitRow(int gridY)
        {
            for (var i = 0; i < gridRow.Length; i++) gridRow[i] = (byte)(sums[i] / counts[i / 4]);
            Marshal.Copy(gridRow, 0, grid.GetPixels() + gridY * grid.RowBytes, gridRow.Length);
            Array.Clear(sums);
            Array.Clear(counts);
        }
    }
}
