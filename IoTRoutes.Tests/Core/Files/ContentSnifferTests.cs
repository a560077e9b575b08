using System.Text;
using IoTRoutes.Core.Files;

namespace IoTRoutes.Tests.Core.Files;

public sealed class ContentSnifferTests
{
    public static TheoryData<string, string> Magic => new()
    {
        { "89504E470D0A1A0A0000000D49484452", "image/png" },
        { "FFD8FFE000104A464946", "image/jpeg" },
        { "474946383961010001", "image/gif" },
        { "52494646240000005745425056503820", "image/webp" },
        { "524946462400000057415645666D7420", "audio/wav" },
        { "424D3A0000000000000036000000", "image/bmp" },
        { "255044462D312E370A", "application/pdf" },
        { "504B0304140000000800", "application/zip" },
        { "1F8B0800000000000003", "application/gzip" },
        { "000000186674797069736F6D", "video/mp4" },
        { "4944330400000000", "audio/mpeg" },
        { "FFFB9064000000", "audio/mpeg" },
        { "00010203FEFF", "application/octet-stream" },
    };

    [Theory]
    [MemberData(nameof(Magic))]
    public void The_type_comes_from_the_first_bytes(string hex, string expected) =>
        Assert.Equal(expected, ContentSniffer.Sniff(Inspect(Convert.FromHexString(hex)), "whatever.dat").ContentType);

    [Theory]
    [InlineData("hello\nworld\n", "text/plain")]
    [InlineData("\uFEFF  {\"a\": [1, 2]}\n", "application/json")]
    [InlineData("[1,2,3]", "application/json")]
    [InlineData("{ not closed", "text/plain")]
    [InlineData("time;value\n2026-01-01;3\n", "text/csv")]
    [InlineData("Grüße, schöne Welt", "text/plain")]
    public void Valid_utf8_without_nul_is_text_json_or_csv_by_its_shape(string text, string expected) =>
        Assert.Equal(expected, ContentSniffer.Sniff(Inspect(Encoding.UTF8.GetBytes(text)), "x").ContentType);

    [Fact]
    public void Text_with_a_nul_or_invalid_utf8_is_binary_even_split_across_reads()
    {
        Assert.Equal("application/octet-stream", ContentSniffer.Sniff(Inspect("abc\0def"u8.ToArray()), "a.txt").ContentType);
        Assert.Equal("application/octet-stream", ContentSniffer.Sniff(Inspect([0x61, 0xC3, 0x28]), "a.txt").ContentType);
        var euro = "price: 5 €"u8.ToArray(); // € is three bytes: cut inside it, it must still read as text
        Assert.Equal("text/plain", ContentSniffer.Sniff(Inspect(euro, chunk: euro.Length - 2), "a.txt").ContentType);
        Assert.Equal("application/octet-stream", ContentSniffer.Sniff(Inspect(euro[..^1]), "a.txt").ContentType);
    }

    [Theory]
    [InlineData("photo.PNG", null, true)]
    [InlineData("photo.jpg", null, true)]
    [InlineData("x", "image/png; charset=binary", true)]
    [InlineData("x", "IMAGE/GIF", true)]
    [InlineData("x", "audio/x-wav", true)]
    [InlineData("x.mp4", null, true)]
    [InlineData("x.zip", null, false)]
    [InlineData("x.json", "application/json", false)]
    [InlineData("x.heic", "image/heic", false)]
    [InlineData("x", "application/octet-stream", false)]
    public void Only_a_claim_of_a_known_image_audio_video_or_pdf_type_is_checked(string name, string? declared, bool refused)
    {
        var decision = ContentSniffer.Decide(Inspect("plain words"u8.ToArray()), name, declared);

        Assert.Equal(refused, decision.Problem is not null);
        Assert.Equal(refused ? null : "text/plain", decision.ContentType);
    }

    [Fact]
    public void A_true_claim_is_accepted_under_any_alias()
    {
        var jpeg = Inspect(Convert.FromHexString("FFD8FFE000104A464946"));

        Assert.Equal("image/jpeg", ContentSniffer.Decide(jpeg, "photo.JPEG", "image/jpg").ContentType);
    }

    [Fact]
    public void The_inspector_counts_hashes_and_stops_past_the_limit()
    {
        using var inspector = new ContentInspector();
        inspector.Append("abc"u8);
        var done = inspector.Finish(tooLarge: false);

        Assert.Equal((3L, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), (done.Size, done.Sha256));
    }

    private static InspectedContent Inspect(byte[] bytes, int chunk = 3)
    {
        using var inspector = new ContentInspector();
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            inspector.Append(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)));
        }

        return inspector.Finish(tooLarge: false);
    }
}
