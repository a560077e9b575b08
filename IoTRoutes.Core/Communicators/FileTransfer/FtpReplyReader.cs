using System.Text;

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// Reads replies from an FTP control connection: single-line ("230 Logged in.") and multi-line ("211-Features:" ...
/// "211 End"), lines ending in CRLF or a bare LF, decoded as UTF-8.
/// </summary>
internal sealed class FtpReplyReader(Stream stream, string target)
{
    private const int MaxLineLength = 8 * 1024;
    private const int MaxLines = 1000;

    private readonly byte[] _buffer = new byte[MaxLineLength];
    private int _start;
    private int _end;

    public async Task<FtpReply> ReadAsync(CancellationToken ct)
    {
        var first = await ReadLineAsync(ct);
        if (first.Length < 3 || !char.IsAsciiDigit(first[0]) || !char.IsAsciiDigit(first[1]) || !char.IsAsciiDigit(first[2])
            || (first.Length > 3 && first[3] is not (' ' or '-')))
        {
            throw NotFtp(first);
        }

        var code = int.Parse(first.AsSpan(0, 3));
        var lines = new List<string> { first };
        if (first.Length > 3 && first[3] == '-')
        {
            // A multi-line reply ends with a line of the same code followed by a space (RFC 959 4.2).
            var last = $"{code} ";
            string line;
            do
            {
                if (lines.Count == MaxLines)
                {
                    throw new CommunicatorException(ConnectionFailure.Protocol, $"{target} sent a reply of more than {MaxLines} lines.");
                }

                line = await ReadLineAsync(ct);
                lines.Add(line);
            }
            while (!line.StartsWith(last, StringComparison.Ordinal) && line != last.TrimEnd());
        }

        return new FtpReply(code, lines);
    }

    /// <summary>Whether bytes were received that no reply has read yet (there must be none before a TLS handshake).</summary>
    public bool HasBufferedBytes => _end > _start;

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == '\r')
                {
                    length--;
                }

                var line = Encoding.UTF8.GetString(_buffer, _start, length);
                _start = newline + 1;
                return line;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new CommunicatorException(ConnectionFailure.Protocol, $"{target} sent a reply line longer than {MaxLineLength} bytes.");
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), ct);
            if (read == 0)
            {
                throw new CommunicatorException(ConnectionFailure.Unavailable, $"{target} closed the connection without a reply.");
            }

            _end += read;
        }
    }

    private CommunicatorException NotFtp(string line)
    {
        var shown = new string(line.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return new(ConnectionFailure.Protocol, $"{target} did not answer as an FTP server: \"{shown}\".");
    }
}
