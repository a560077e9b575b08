namespace IoTRoutes.Core.Communicators.Http;

/// <summary>What a header name and value may be (RFC 9110 tokens, no line breaks), and the headers we set ourselves.</summary>
internal static class HttpHeaderRules
{
    private const string TokenSymbols = "!#$%&'*+-.^_`|~";

    /// <summary>Set by the communicator itself: from the authentication, the body or the connection.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Host", "Content-Length", "Content-Type", "Transfer-Encoding", "Connection", "Upgrade", "TE", "Trailer", "Keep-Alive",
        "Proxy-Authorization",
    };

    public static bool IsToken(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 256 && name.All(c => char.IsAsciiLetterOrDigit(c) || TokenSymbols.Contains(c));

    /// <summary>Null when the header may be set by settings or a call, else a sentence.</summary>
    public static string? Problem(string name, string? value)
    {
        if (!IsToken(name)) return $"'{Shown(name)}' is not a header name (letters, digits and !#$%&'*+-.^_`|~ only).";
        if (Reserved.Contains(name))
        {
            return name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
                ? "Authorization is set from the authentication settings (its secret is stored encrypted), not as a plain header."
                : $"{name} is set by the communicator itself.";
        }

        if (value is null) return $"The header {name} has no value.";
        if (value.Length > 8192) return $"The value of {name} is longer than 8192 characters.";
        return value.Any(c => c is '\r' or '\n' or '\0') ? $"The value of {name} contains a line break." : null;
    }

    public static void Check(IReadOnlyDictionary<string, string>? headers, SettingsProblems problems)
    {
        if (headers is null) return;
        if (headers.Count > 50) problems.Add("headers", "At most 50 headers.");
        foreach (var (name, value) in headers) problems.Add("headers", Problem(name, value));
    }

    private static string Shown(string name) => name.Length > 40 ? name[..40] + "…" : name;
}
