namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>One reply of an FTP server (RFC 959 4.2): its code and its lines, the first and last carrying the code.</summary>
internal sealed record FtpReply(int Code, IReadOnlyList<string> Lines)
{
    private const int MaxShownLength = 300;

    public bool IsPositive => Code is >= 100 and < 400;

    /// <summary>The reply's text without codes, lines joined by spaces: "Login incorrect.".</summary>
    public string Text => string.Join(' ', Lines.Select(StripCode).Where(l => l.Length > 0));

    /// <summary>The reply as shown in messages: "530 Login incorrect.", cut short if the server says a lot.</summary>
    public override string ToString()
    {
        var shown = $"{Code} {Text}";
        return shown.Length <= MaxShownLength ? shown : shown[..MaxShownLength] + "…";
    }

    /// <summary>
    /// The failure a negative reply to <paramref name="what"/> means: 530 (not logged in) a credentials failure; 421 and
    /// other 4xx the server's passing trouble; other 5xx a refusal, with the server's words.
    /// </summary>
    public CommunicatorException ToFailure(string target, string what) => Code switch
    {
        530 or 532 => new(ConnectionFailure.Credentials, $"{target} refused {what}: {this}"),
        421 => new(ConnectionFailure.Unavailable, $"{target} closed the session instead of {what}: {this}"),
        >= 400 and < 500 => new(ConnectionFailure.Unavailable, $"{target} failed {what} for now: {this}"),
        _ => new(ConnectionFailure.Protocol, $"{target} refused {what}: {this}"),
    };

    private static string StripCode(string line) =>
        (line.Length >= 4 && char.IsAsciiDigit(line[0]) && char.IsAsciiDigit(line[1]) && char.IsAsciiDigit(line[2]) && line[3] is ' ' or '-'
            ? line[4..]
            : line).Trim();
}
