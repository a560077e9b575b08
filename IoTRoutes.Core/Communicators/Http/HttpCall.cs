namespace IoTRoutes.Core.Communicators.Http;

/// <summary>One request through an HTTP communicator.</summary>
public sealed record HttpCall
{
    /// <summary>GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS.</summary>
    public string Method { get; init; } = "GET";

    /// <summary>Relative to the base URL's path, with an optional query ("devices/7?full=1"); an absolute URL only to the same origin.</summary>
    public string Path { get; init; } = "";

    /// <summary>Besides the communicator's headers, winning over them.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public string? Body { get; init; }

    /// <summary>Of <see cref="Body"/>; default "application/json" when the body starts with { or [, else "text/plain" (UTF-8).</summary>
    public string? ContentType { get; init; }

    /// <summary>
    /// Sent in the communicator's idempotency header, the same on every attempt: the workflow's effect key, so that a
    /// run repeated after a crash is recognised by the target too. Null: a new key per call.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>True: a 4xx or 5xx answer is returned (with its <see cref="HttpCallResult.Failure"/>) rather than thrown.</summary>
    public bool AcceptAnyStatus { get; init; }

    internal static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    public IReadOnlyDictionary<string, string[]> Problems()
    {
        var problems = new SettingsProblems();
        if (!Methods.Contains(Method.ToUpperInvariant())) problems.Add("method", $"The method is one of {string.Join(", ", Methods)}.");
        if (Path.Length > 8000) problems.Add("path", "The path is at most 8000 characters.");
        else if (Path.Any(char.IsControl) || Path.Contains(' ')) problems.Add("path", "The path has no space or control character (encode them: %20).");
        HttpHeaderRules.Check(Headers, problems);
        if (ContentType is not null && !System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(ContentType, out _))
            problems.Add("contentType", "Not a content type (application/json, text/plain; charset=utf-8).");
        if (IdempotencyKey is { } key && (key.Length is 0 or > 255 || key.Any(char.IsControl)))
            problems.Add("idempotencyKey", "An idempotency key is 1 to 255 characters, no control character.");
        return problems.ToDictionary();
    }
}

/// <summary>
/// The answer to a call after any retries: its status, headers and body (text, cut at the communicator's limit),
/// how long it took over all attempts and how many there were.
/// </summary>
public sealed record HttpCallResult(
    int Status,
    string? Reason,
    IReadOnlyDictionary<string, string[]> Headers,
    string Body,
    bool BodyTruncated,
    long ElapsedMs,
    int Attempts)
{
    public bool Succeeded => Status is >= 200 and < 400;

    /// <summary>401/403: credentials; 408: timeout; 429 and 5xx: unavailable; other 4xx: protocol; null for 1xx-3xx.</summary>
    public ConnectionFailure? Failure => Status switch
    {
        401 or 403 => ConnectionFailure.Credentials,
        408 => ConnectionFailure.Timeout,
        429 => ConnectionFailure.Unavailable,
        >= 500 => ConnectionFailure.Unavailable,
        >= 400 => ConnectionFailure.Protocol,
        _ => null,
    };
}
