using IoTRoutes.Core.Media;
using SkiaSharp;

namespace IoTRoutes.Tests.Core.Media;

public sealed class ImageInterpreterTests
{
    private readonly MediaInterpreter _interpreter = MediaTestInterpreter.Create();

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, "png", "image/png")]
    [InlineData(SKEncodedImageFormat.Jpeg, "jpeg", "image/jpeg")]
    [InlineData(SKEncodedImageFormat.Webp, "webp", "image/webp")]
    public void A_black_image_reads_its_format_size_and_zero_brightness(SKEncodedImageFormat format, string name, string contentType)
    {
        var file = TestImages.Solid(64, 48, SKColors.Black, format);

        var reading = _interpreter.Interpret(file).Succeeded();

        Assert.Equal(MediaKind.Image, reading.Kind);
        Assert.Equal(contentType, reading.ContentType);
        Assert.Equal(name, (string?)reading.Fields["format"]);
        Assert.Equal(contentType, (string?)reading.Fields["mediaType"]);
        Assert.Equal(64, (int?)reading.Fields["width"]);
        Assert.Equal(48, (int?)reading.Fields["height"]);
        Assert.Equal(file.Length, (long?)reading.Fields["sizeBytes"]);
        Assert.Equal(0, reading.Number("brightness"), 0.01);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void A_white_image_has_brightness_one(SKEncodedImageFormat format)
    {
        var reading = _interpreter.Interpret(TestImages.Solid(50, 50, SKColors.White, format)).Succeeded();

        Assert.Equal(1, reading.Number("brightness"), 0.01);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, 0.001)]
    [InlineData(SKEncodedImageFormat.Jpeg, 0.02)]
    [InlineData(SKEncodedImageFormat.Webp, 0.02)]
    public void A_half_black_half_white_image_has_brightness_one_half(SKEncodedImageFormat format, double tolerance)
    {
        var reading = _interpreter.Interpret(TestImages.HalfAndHalf(200, 100, format)).Succeeded();

        Assert.Equal(0.5, reading.Number("brightness"), tolerance);
    }

    [Fact]
    public void Brightness_is_the_mean_rec709_luma_of_the_colours()
    {
        var reading = _interpreter.Interpret(TestImages.Solid(20, 20, new SKColor(255, 0, 0))).Succeeded();

        Assert.Equal(0.2126, reading.Number("brightness"), 0.001);
    }

    [Fact]
    public void The_thumbnail_of_a_wide_image_is_a_png_160_pixels_wide_with_the_same_aspect()
    {
        var reading = _interpreter.Interpret(TestImages.HalfAndHalf(1600, 200)).Succeeded();

        var thumbnail = Assert.IsType<MediaThumbnail>(reading.Thumbnail);
        Assert.Equal((160, 20), (thumbnail.Width, thumbnail.Height));
        Assert.Equal("image/png", MediaSniffer.Detect(thumbnail.Png).ContentType);
        Assert.Equal((160, 20), TestImages.SizeOf(thumbnail.Png));
        using var pixels = SKBitmap.Decode(thumbnail.Png);
        Assert.Equal(SKColors.Black, pixels.GetPixel(10, 10));
        Assert.Equal(SKColors.White, pixels.GetPixel(150, 10));
    }

    [Fact]
    public void A_small_image_is_not_enlarged_for_its_thumbnail()
    {
        var reading = _interpreter.Interpret(TestImages.Solid(40, 90, SKColors.Gray)).Succeeded();

        Assert.Equal((40, 90), (reading.Thumbnail!.Width, reading.Thumbnail.Height));
    }

    [Fact]
    public void A_large_jpeg_is_decoded_at_a_reduced_size_and_still_measured_whole()
    {
        var reading = _interpreter.Interpret(TestImages.HalfAndHalf(4000, 3000, SKEncodedImageFormat.Jpeg)).Succeeded();

        Assert.Equal((4000, 3000), ((int?)reading.Fields["width"], (int?)reading.Fields["height"]));
        Assert.Equal(0.5, reading.Number("brightness"), 0.02);
        Assert.Equal((160, 120), (reading.Thumbnail!.Width, reading.Thumbnail.Height));
    }

    [Fact]
    public void A_large_bmp_is_read_row_by_row_into_an_exact_brightness_the_right_way_up()
    {
        // 3000 × 500, stored bottom-up: BMP decodes scanlines, so the reduced grid path measures every pixel.
        // The top 100 rows are red, below them the left third is black and the rest white.
        var file = TestImages.Bmp(3000, 500, (x, y) => y < 100 ? SKColors.Red : x < 1000 ? SKColors.Black : SKColors.White);

        var reading = _interpreter.Interpret(file).Succeeded();

        Assert.Equal("bmp", (string?)reading.Fields["format"]);
        Assert.Equal((100 * 3000 * 0.2126 + 400 * 2000) / (3000 * 500), reading.Number("brightness"), 0.0001);
        Assert.Equal((160, 27), (reading.Thumbnail!.Width, reading.Thumbnail.Height));
        using var pixels = SKBitmap.Decode(reading.Thumbnail.Png);
        Assert.Equal(SKColors.Red, pixels.GetPixel(80, 2));
        Assert.Equal(SKColors.Black, pixels.GetPixel(20, 20));
        Assert.Equal(SKColors.White, pixels.GetPixel(140, 20));
    }

    [Fact]
    public void A_png_declaring_50000_by_50000_pixels_is_rejected_before_decoding()
    {
        var bomb = TestImages.PngDeclaring(50_000, 50_000);
        Assert.True(bomb.Length < 200, "the bomb is tiny");

        var reading = _interpreter.Interpret(bomb);

        var reason = reading.RejectedWith("50,000 × 50,000 pixels");
        Assert.Contains("2,500 megapixels", reason);
        Assert.Contains("limit of 40 megapixels", reason);
        Assert.Equal(MediaKind.Image, reading.Kind);
    }

    [Fact]
    public void The_pixel_limit_comes_from_the_limits()
    {
        var file = TestImages.Solid(100, 100, SKColors.White);

        _interpreter.Interpret(file, limits: new MediaLimits { MaxPixels = 10_000 }).Succeeded();
        _interpreter.Interpret(file, limits: new MediaLimits { MaxPixels = 9_999 }).RejectedWith("more than the limit");
    }

    [Fact]
    public void A_png_signature_followed_by_garbage_is_rejected()
    {
        var garbage = new byte[600];
        new Random(17).NextBytes(garbage);
        var file = TestImages.PngDeclaring(1, 1)[..8].Concat(garbage).ToArray();

        var reading = _interpreter.Interpret(file);

        reading.RejectedWith("PNG");
        Assert.Equal("image/png", reading.ContentType);
    }

    [Fact]
    public void A_truncated_png_is_rejected_as_truncated()
    {
        var file = TestImages.Noise(256, 256, seed: 3);

        _interpreter.Interpret(file[..(file.Length * 6 / 10)]).RejectedWith("truncated");
    }

    [Fact]
    public void A_png_cut_inside_its_header_is_rejected()
    {
        var file = TestImages.Solid(10, 10, SKColors.Red);

        _interpreter.Interpret(file[..20]).RejectedWith("PNG");
    }

    [Fact]
    public void A_truncated_jpeg_is_rejected_as_truncated()
    {
        var file = TestImages.HalfAndHalf(800, 600, SKEncodedImageFormat.Jpeg);

        _interpreter.Interpret(file[..(file.Length / 2)]).RejectedWith("truncated");
    }

    [Fact]
    public void A_truncated_webp_is_rejected()
    {
        var file = TestImages.HalfAndHalf(800, 600, SKEncodedImageFormat.Webp);

        _interpreter.Interpret(file[..(file.Length / 2)]).RejectedWith("WEBP");
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void Damaged_images_give_a_reading_or_a_reason_and_never_throw(SKEncodedImageFormat format)
    {
        var original = TestImages.HalfAndHalf(120, 80, format);
        var random = new Random(42);
        for (var attempt = 0; attempt < 150; attempt++)
        {
            var damaged = (byte[])original.Clone();
            for (var flips = random.Next(1, 8); flips > 0; flips--) damaged[random.Next(16, damaged.Length)] = (byte)random.Next(256);
            if (attempt % 3 == 0) damaged = damaged[..random.Next(8, damaged.Length)];

            var reading = _interpreter.Interpret(damaged);

            Assert.True(reading.Succeeded || !string.IsNullOrWhiteSpace(reading.Reason));
            if (reading.Succeeded && reading.Kind == MediaKind.Image) Assert.InRange(reading.Number("brightness"), 0, 1);
        }
    }
}
