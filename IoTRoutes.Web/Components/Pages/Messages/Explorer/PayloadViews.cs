using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace IoTRoutes.Web.Components.Pages.Messages.Explorer;

/// <summary>The ways the message drawer shows a raw payload: as UTF-8 text, as a hex dump, as indented JSON.</summary>
public static class PayloadViews
{
    /// <summary>How many bytes the hex view shows; the download has the rest.</summary>
    public const int HexLimit = 16 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // shown as text in the page, never as markup: °C stays °C
    };

    /// <summary>The payload as text, or null when its bytes are not UTF-8 or hold control characters other than white space.</summary>
    public static string? Text(byte[] payload)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        return text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')) ? null : text;
    }

    /// <summary>The payload's JSON indented, or null when it is not one JSON value.</summary>
    public static string? PrettyJson(byte[] payload)
    {
        if (payload.Length == 0 || Text(payload) is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Lines of 16 bytes: the offset, the bytes in hex (a gap after the eighth) and the printable ASCII ones, others as a
    /// dot; at most <see cref="HexLimit"/> bytes.
    /// </summary>
    public static string HexDump(byte[] payload)
    {
        var shown = Math.Min(payload.Length, HexLimit);
        var text = new StringBuilder(shown / 16 * 80 + 80);
        for (var line = 0; line < shown; line += 16)
        {
            text.Append(line.ToString("x8")).Append("  ");
            for (var i = 0; i < 16; i++)
            {
                text.Append(line + i < shown ? payload[line + i].ToString("x2") + " " : "   ");
                if (i == 7) text.Append(' ');
            }

            text.Append(' ');
            for (var i = line; i < Math.Min(line + 16, shown); i++)
            {
                text.Append(payload[i] is >= 0x20 and < 0x7f ? (char)payload[i] : '.');
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
