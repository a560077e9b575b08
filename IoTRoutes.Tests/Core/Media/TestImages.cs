using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace IoTRoutes.Tests.Core.Media;

/// <summary>Images made in the test: encoded by SkiaSharp, or built byte by byte where a file must lie.</summary>
internal static class TestImages
{
    public static byte[] Solid(int width, int height, SKColor color, SKEncodedImageFormat format = SKEncodedImageFormat.Png) =>
        Draw(width, height, format, canvas => canvas.Clear(color));

    /// <summary>Left half black, right half white: mean luma 0.5.</summary>
    public static byte[] HalfAndHalf(int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png) =>
        Draw(width, height, format, canvas =>
        {
            canvas.Clear(SKColors.White);
            using var black = new SKPaint { Color = SKColors.Black };
            canvas.DrawRect(0, 0, width / 2f, height, black);
        });

    /// <summary>Random pixels, which PNG cannot compress: the file is large, so a cut lands inside the pixel data.</summary>
    public static byte[] Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(width, height);
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
            bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public static (int Width, int Height) SizeOf(byte[] encoded)
    {
        using var bitmap = SKBitmap.Decode(encoded) ?? throw new InvalidOperationException("not an image");
        return (bitmap.Width, bitmap.Height);
    }

    /// <summary>
    /// A valid PNG of a few dozen bytes whose header declares width × height pixels: its IDAT holds a little zlib data,
    /// as a decompression bomb's first bytes do. Chunks carry correct CRCs, so only the dimensions give it away.
    /// </summary>
    public static byte[] PngDeclaring(int width, int height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // truecolour
        var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(pixels, CompressionLevel.SmallestSize, leaveOpen: true)) zlib.Write(new byte[4096]);
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", pixels.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A 24-bit BMP, bottom-up rows, each pixel from <paramref name="colour"/>.</summary>
    public static byte[] Bmp(int width, int height, Func<int, int, SKColor> colour)
    {
        var rowBytes = (width * 3 + 3) & ~3;
        var file = new byte[54 + rowBytes * height];
        "BM"u8.CopyTo(file);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(2), file.Length);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(34), rowBytes * height);
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var c = colour(x, y);
            var at = 54 + (height - 1 - y) * rowBytes + x * 3;
            (file[at], file[at + 1], file[at + 2]) = (c.Blue, c.Green, c.Red);
        }
        return file;
    }

    private static byte[] Draw(int width, int height, SKEncodedImageFormat format, Action<SKCanvas> paint)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap)) paint(canvas);
        using var data = bitmap.Encode(format, 100) ?? throw new InvalidOperationException($"Skia cannot encode {format}");
        return data.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typed));
        png.Write(number);
    }

    // The PNG chunk CRC (ISO 3309 / ITU-T V.42), bit by bit: the test needs no table.
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
