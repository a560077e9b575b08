using System.Text;
using System.Text.Json;

namespace IoTRoutes.Web.Http;

/// <summary>
/// Turns a response Kestrel produced on its own (status line and headers, empty body, connection closing) into the
/// same response with an RFC 7807 problem document as its body.
/// </summary>
public static class RejectionProblem
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>The rewritten response, or null when <paramref name="response"/> is not a bodiless closing error response.</summary>
    public static byte[]? Rewrite(ReadOnlySpan<byte> response)
    {
        if (!response.StartsWith("HTTP/1.1 "u8) && !response.StartsWith("HTTP/1.0 "u8))
        {
            return null;
        }

        var end = response.IndexOf(HeaderEnd);
        if (end < 0 || end + HeaderEnd.Length != response.Length)
        {
            return null; // a body follows, or the headers are not all here: not Kestrel's own error
        }

        var head = Encoding.ASCII.GetString(response[..end]);
        var lines = head.Split("\r\n");
        if (!int.TryParse(lines[0].AsSpan(9, Math.Min(3, lines[0].Length - 9)), out var status) || status < 400
            || !lines.Contains("Content-Length: 0", StringComparer.OrdinalIgnoreCase)
            || !lines.Contains("Connection: close", StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        var title = lines[0].Length > 13 ? lines[0][13..] : "Error";
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["type"] = TypeOf(status),
            ["title"] = title,
            ["status"] = status,
            ["detail"] = DetailOf(status),
        });
        var rewritten = new StringBuilder(lines[0]).Append("\r\n");
        foreach (var line in lines.Skip(1).Where(l => !l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)))
        {
            rewritten.Append(line).Append("\r\n");
        }

        rewritten.Append("Content-Type: application/problem+json\r\n").Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(rewritten.ToString()), .. body];
    }

    private static string TypeOf(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        408 => "https://tools.ietf.org/html/rfc9110#section-15.5.9",
        411 => "https://tools.ietf.org/html/rfc9110#section-15.5.12",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        414 => "https://tools.ietf.org/html/rfc9110#section-15.5.15",
        431 => "https://tools.ietf.org/html/rfc6585#section-5",
        501 => "https://tools.ietf.org/html/rfc9110#section-15.6.2",
        505 => "https://tools.ietf.org/html/rfc9110#section-15.6.6",
        _ => "about:blank",
    };

    private static string DetailOf(int status) => status switch
    {
        400 => "The server could not read this request: its request line, URL or a header is malformed (for example %00 or a control character in the URL).",
        408 => "The request did not arrive in time.",
        411 => "This request needs a Content-Length header.",
        413 => "The request body is larger than the server accepts.",
        414 => $"The URL is longer than the server accepts (the request line is limited to {KestrelLimits.MaxRequestLineSize} bytes).",
        431 => $"The request headers are more or larger than the server accepts (at most {KestrelLimits.MaxRequestHeaderCount} headers, {KestrelLimits.MaxRequestHeadersTotalSize} bytes in all).",
        505 => "This HTTP version is not supported: use HTTP/1.1 or HTTP/2.",
        _ => "The server rejected this request before reading it.",
    };
}
