using System.Text;

namespace IoTRoutes.Core.Files;

/// <summary>
/// The name a file is shown and downloaded under: the last part of whatever path was given, without control or
/// invisible characters or any of <c>/ \ : * ? " &lt; &gt; |</c>, at most <see cref="FileRules.MaxNameLength"/>
/// characters, never empty and never only dots. It is never used on disk (<see cref="LocalDiskFileStore"/> uses ids).
/// </summary>
public static class SafeFileName
{
    public static string Of(string? given)
    {
        var name = (given ?? "").Normalize(NormalizationForm.FormC);
        var lastSeparator = name.LastIndexOfAny(['/', '\\']);
        name = name[(lastSeparator + 1)..];

        var kept = new StringBuilder(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            if (!IsRefused(rune))
            {
                kept.Append(rune.ToString());
            }
        }

        var cleaned = kept.ToString().Trim().Trim('.').Trim();
        cleaned = Clip(cleaned, FileRules.MaxNameLength).Trim();
        return cleaned.Length == 0 ? FileRules.FallbackName : cleaned;
    }

    private static bool IsRefused(Rune rune) =>
        Rune.IsControl(rune)
        || rune.Value is '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|'
        || Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Format // bidi overrides, zero-width marks
            or System.Globalization.UnicodeCategory.PrivateUse
        || (rune.Value & 0xFFFE) == 0xFFFE || rune.Value is >= 0xFDD0 and <= 0xFDEF;

    /// <summary>Cut to <paramref name="max"/> characters keeping the extension, without splitting a surrogate pair.</summary>
    private static string Clip(string name, int max)
    {
        if (name.Length <= max)
        {
            return name;
        }

        var dot = name.LastIndexOf('.');
        var extension = dot > 0 && name.Length - dot <= 16 ? name[dot..] : "";
        var stem = name[..(name.Length - extension.Length)];
        var keep = max - extension.Length;
        if (char.IsHighSurrogate(stem[keep - 1]))
        {
            keep--;
        }

        return stem[..keep] + extension;
    }
}
