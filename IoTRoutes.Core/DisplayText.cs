using System.Text;

namespace IoTRoutes.Core;

/// <summary>
/// Names people give things (devices, entities, roles) reach pages, CSV exports and logs: no control characters (NUL,
/// ANSI escapes), no bidirectional overrides or invisible characters that make a name read as something else, no
/// non-characters or broken surrogates. Accepted names are trimmed and stored in Unicode NFC, so one name has one form.
/// </summary>
public static class DisplayText
{
    /// <summary>Why <paramref name="text"/> cannot be a name, or null when it can.</summary>
    public static string? Problem(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var codePoint = char.ConvertToUtf32(c, text[++i]);
                if ((codePoint & 0xFFFE) == 0xFFFE)
                {
                    return "Names cannot contain Unicode non-characters.";
                }

                continue;
            }

            if (char.IsSurrogate(c))
            {
                return "Names must be valid Unicode text.";
            }

            if (char.IsControl(c))
            {
                return "Names cannot contain control characters (such as NUL, tabs, line breaks or escape sequences).";
            }

            if (c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                return "Names cannot contain characters that change the direction of the text.";
            }

            if (c is (>= '\u200B' and <= '\u200D') or '\u2060' or '\uFEFF')
            {
                return "Names cannot contain invisible characters.";
            }

            if (c is (>= '\uFDD0' and <= '\uFDEF') or '\uFFFE' or '\uFFFF')
            {
                return "Names cannot contain Unicode non-characters.";
            }
        }

        return null;
    }

    /// <summary>A name as stored: trimmed, in NFC. Call after <see cref="Problem"/> found none.</summary>
    public static string Clean(string text) => text.Trim().Normalize(NormalizationForm.FormC);
}
