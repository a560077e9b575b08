using System.Security.Cryptography;
using System.Text;

namespace IoTRoutes.Core.Files;

/// <summary>What one pass over a file's bytes found: its size, SHA-256, first bytes and whether it reads as text.</summary>
public sealed record InspectedContent(long Size, string Sha256, byte[] Head, bool IsText, byte? LastNonWhitespace, bool TooLarge);

/// <summary>
/// Looks at a file's bytes as they stream past, once: counts, hashes, keeps the first <see cref="HeadLength"/> bytes for
/// <see cref="ContentSniffer"/>, and follows whether the whole is valid UTF-8 without NUL (text).
/// </summary>
public sealed class ContentInspector : IDisposable
{
    public const int HeadLength = 4096;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Decoder _utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
    private readonly char[] _chars = new char[4096];
    private readonly byte[] _head = new byte[HeadLength];
    private int _headLength;
    private long _size;
    private bool _isText = true;
    private byte? _lastNonWhitespace;

    public long Size => _size;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        _hash.AppendData(bytes);
        _size += bytes.Length;
        if (_headLength < HeadLength)
        {
            var take = Math.Min(bytes.Length, HeadLength - _headLength);
            bytes[..take].CopyTo(_head.AsSpan(_headLength));
            _headLength += take;
        }

        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (!IsWhitespace(bytes[i]))
            {
                _lastNonWhitespace = bytes[i];
                break;
            }
        }

        if (_isText)
        {
            _isText = !bytes.Contains((byte)0) && Decodes(bytes, flush: false);
        }
    }

    public InspectedContent Finish(bool tooLarge)
    {
        var isText = _isText && Decodes([], flush: true);
        return new InspectedContent(_size, Convert.ToHexStringLower(_hash.GetHashAndReset()), _head[.._headLength], isText, _lastNonWhitespace, tooLarge);
    }

    public void Dispose() => _hash.Dispose();

    internal static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private bool Decodes(ReadOnlySpan<byte> bytes, bool flush)
    {
        try
        {
            var completed = false;
            while (!completed)
            {
                _utf8.Convert(bytes, _chars, flush, out var used, out _, out completed);
                bytes = bytes[used..];
            }

            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
