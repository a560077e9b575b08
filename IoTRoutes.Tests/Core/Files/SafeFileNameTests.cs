using IoTRoutes.Core.Files;

namespace IoTRoutes.Tests.Core.Files;

public sealed class SafeFileNameTests
{
    [Theory]
    [InlineData("report.pdf", "report.pdf")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\me\\photo.jpg", "photo.jpg")]
    [InlineData("a\u0000b\u001b[31mc.txt", "ab[31mc.txt")]
    [InlineData("invoice\u202Efdp.exe", "invoicefdp.exe")]
    [InlineData("zero\u200Bwidth.txt", "zerowidth.txt")]
    [InlineData("what?*<>|\":.txt", "what.txt")]
    [InlineData("  .hidden.  ", "hidden")]
    [InlineData("...", "file")]
    [InlineData("", "file")]
    [InlineData(null, "file")]
    [InlineData("dir/", "file")]
    [InlineData("cafe\u0301.txt", "café.txt")]
    public void A_given_name_becomes_a_safe_one(string? given, string expected) =>
        Assert.Equal(expected, SafeFileName.Of(given));

    [Fact]
    public void A_long_name_is_cut_to_200_characters_keeping_its_extension()
    {
        var name = SafeFileName.Of(new string('x', 300) + ".csv");

        Assert.Equal(FileRules.MaxNameLength, name.Length);
        Assert.EndsWith("x.csv", name, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cut_never_splits_a_character_outside_the_basic_plane()
    {
        var name = SafeFileName.Of(new string('a', 195) + string.Concat(Enumerable.Repeat("😀", 10)));

        Assert.True(name.Length <= FileRules.MaxNameLength);
        Assert.False(char.IsHighSurrogate(name[^1]));
    }
}
