using System.Buffers;
using System.Text;

namespace IoTRoutes.Core.Messaging.Rejections;

public enum PayloadPreviewKind
{
    /// <summary>UTF-8 text without control characters (tabs and line breaks allowed, though not first).</summary>
    Text,

    /// <summary>Bytes as upper-case hex pairs separated by spaces.</summary>
    Hex,

    Empty,

    /// <summary>Refused for its size: only the size was kept.</summary>
    NotKept,
}

/// <summary>The start of a payload, readable: as text when it is text, else as hex.</summary>
public static class PayloadPreview
{
    public const int MaxTextBytes = 160;
    public const int MaxHexBytes = 48;

    public static (string Preview, PayloadPreviewKind Kind) Of(byte[] payload, int payloadSize)
    {
        if (payload.Length == 0)
        {
            return payloadSize > 0 ? ($"({payloadSize:N0} bytes, not kept)", PayloadPreviewKind.NotKept) : ("", PayloadPreviewKind.Empty);
        }

        return AsText(payload) is { } text ? (text, PayloadPreviewKind.Text) : (AsHex(payload), PayloadPreviewKind.Hex);
    }

    private static string? AsText(byte[] payload)
    {
        var truncated = payload.Length > MaxTextBytes;
        var rest = payload.AsSpan(0, Math.Min(payload.Length, MaxTextBytes));
        var text = new StringBuilder(rest.Length);
        while (!rest.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(rest, out var rune, out var consumed);
            if (status == OperationStatus.NeedMoreData && truncated)
            {
                break; // a character cut by the preview's end, not a broken one
            }

            // A frame that opens with a line break or tab is far more often binary (0x0A, 0x09, 0x0D as a first byte) than text.
            var allowedControl = (rune.Value is '\t' or '\n' or '\r') && text.Length > 0;
            if (status != OperationStatus.Done || (Rune.IsControl(rune) && !allowedControl))
            {
                return null;
            }

            text.Append(rune.ToString());
            rest = rest[consumed..];
        }

        return truncated ? text.Append('…').ToString() : text.ToString();
    }

    private static string AsHex(byte[] payload)
    {
        var shown = payload.AsSpan(0, Math.Min(payload.Length, MaxHexBytes));
        var hex = string.Join(' ', shown.ToArray().Select(b => b.ToString("X2")));
        return payload.Length > MaxHexBytes ? hex + " …" : hex;
    }
}
