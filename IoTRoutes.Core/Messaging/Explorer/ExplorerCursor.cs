using System.Buffers.Text;

namespace IoTRoutes.Core.Messaging.Explorer;

/// <summary>The opaque cursor of the next page: the id of the last message looked at, as base64url.</summary>
public static class ExplorerCursor
{
    public static string Encode(Guid id) => Base64Url.EncodeToString(id.ToByteArray(bigEndian: true));

    public static Guid? Decode(string text)
    {
        Span<byte> bytes = stackalloc byte[18];
        return text.Length == 22 && Base64Url.TryDecodeFromChars(text, bytes, out var written) && written == 16
            ? new Guid(bytes[..16], bigEndian: true)
            : null;
    }
}
