using PdfSharp.Fonts;

namespace IoTRoutes.Core.Jobs.Reports;

/// <summary>
/// PDFsharp's fonts on Linux, where it has none of its own: the first of DejaVu Sans or Liberation Sans found under the
/// system's font folders (Debian's fonts-dejavu-core, which Chromium brings too). Every family a report asks for is that
/// one face, bold by its bold file when there is one.
/// </summary>
internal sealed class ReportFonts : IFontResolver
{
    private static readonly string[] Folders = ["/usr/share/fonts", "/usr/local/share/fonts"];
    private static readonly (string Regular, string Bold)[] Candidates =
    [
        ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
        ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    ];

    private static readonly Lazy<(string? Regular, string? Bold)> Found = new(Find);
    private static readonly Lock Gate = new();

    /// <summary>Sets the resolver once for the process; false (with why) when the machine has none of the fonts.</summary>
    public static bool TryInstall(out string? problem)
    {
        if (Found.Value.Regular is null)
        {
            problem = "No font for PDF reports: install fonts-dejavu-core (apt) so that DejaVuSans.ttf is under /usr/share/fonts.";
            return false;
        }

        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is not ReportFonts) GlobalFontSettings.FontResolver = new ReportFonts();
        }

        problem = null;
        return true;
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold && Found.Value.Bold is not null ? "report-bold" : "report-regular");

    public byte[]? GetFont(string faceName) =>
        File.ReadAllBytes(faceName == "report-bold" && Found.Value.Bold is { } bold ? bold : Found.Value.Regular!);

    private static (string?, string?) Find()
    {
        var files = Folders.Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateFiles(f, "*.ttf", SearchOption.AllDirectories)).ToList();
        foreach (var (regular, bold) in Candidates)
        {
            if (files.FirstOrDefault(f => Path.GetFileName(f) == regular) is { } found)
            {
                return (found, files.FirstOrDefault(f => Path.GetFileName(f) == bold));
            }
        }

        return (null, null);
    }
}
