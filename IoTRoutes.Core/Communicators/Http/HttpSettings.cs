using System.Text.Json.Serialization;

namespace IoTRoutes.Core.Communicators.Http;

/// <summary>
/// Where an HTTP communicator calls and how (no secrets: those are <see cref="HttpSecrets"/>). Calls name a path
/// relative to <see cref="BaseUrl"/> and never leave its scheme, host and port.
/// </summary>
public sealed record HttpSettings
{
    /// <summary>Absolute http or https URL; a call's path is appended to its path.</summary>
    public string BaseUrl { get; init; } = "";

    /// <summary>Sent with every call (a call's own headers win).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public HttpAuthentication Authentication { get; init; } = new();

    /// <summary>For one attempt (connection, request, answer) and, again, for reading the answer's body.</summary>
    public int TimeoutSeconds { get; init; } = 30;

    /// <summary>Attempts after the first on a transient failure (0-5). POST and PATCH are retried only with <see cref="IdempotencyKeyHeader"/>.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>A header ("Idempotency-Key") carrying one key per call, the same on every retry; empty: none.</summary>
    public string? IdempotencyKeyHeader { get; init; }

    /// <summary>CA certificates (PEM) trusted for the target besides the system's: a private PKI.</summary>
    public string? CaCertificatePem { get; init; }

    /// <summary>The SHA-256 of the one certificate accepted, whoever signed it: a self-signed server.</summary>
    public string? AcceptCertificateSha256 { get; init; }

    public IReadOnlyDictionary<string, string[]> Problems()
    {
        var problems = new SettingsProblems();
        if (string.IsNullOrWhiteSpace(BaseUrl)) problems.Add("baseUrl", "A base URL is required (https://api.example.com/v1).");
        else if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || string.IsNullOrEmpty(url.Host))
            problems.Add("baseUrl", "The base URL must be an absolute http:// or https:// URL.");
        else if (!string.IsNullOrEmpty(url.UserInfo)) problems.Add("baseUrl", "Put the user name and password in the authentication settings, not in the URL.");
        else if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment)) problems.Add("baseUrl", "The base URL has no query or fragment: give those in the call's path.");

        HttpHeaderRules.Check(Headers, problems);
        if (TimeoutSeconds is < 1 or > 300) problems.Add("timeoutSeconds", "The timeout is 1 to 300 seconds.");
        if (Retries is < 0 or > 5) problems.Add("retries", "Retries are 0 to 5.");
        if (!string.IsNullOrEmpty(IdempotencyKeyHeader)) problems.Add("idempotencyKeyHeader", HttpHeaderRules.Problem(IdempotencyKeyHeader, ""));
        problems.Add("caCertificatePem", ServerCertificateTrust.PemProblem(CaCertificatePem));
        problems.Add("acceptCertificateSha256", ServerCertificateTrust.PinProblem(AcceptCertificateSha256));
        if (!string.IsNullOrWhiteSpace(CaCertificatePem) && !string.IsNullOrWhiteSpace(AcceptCertificateSha256))
            problems.Add("acceptCertificateSha256", "Give either a CA certificate or a pinned certificate, not both.");
        problems.AddAll("authentication", Authentication.Problems());
        return problems.ToDictionary();
    }
}

[JsonConverter(typeof(JsonStringEnumConverter<HttpAuthenticationType>))]
public enum HttpAuthenticationType
{
    None,

    /// <summary><see cref="HttpAuthentication.Username"/> and <see cref="HttpSecrets.Password"/>.</summary>
    Basic,

    /// <summary><see cref="HttpSecrets.Token"/> as "Authorization: Bearer".</summary>
    Bearer,

    /// <summary><see cref="HttpSecrets.ApiKey"/> in the header <see cref="HttpAuthentication.HeaderName"/>.</summary>
    ApiKey,

    /// <summary>A token from <see cref="HttpAuthentication.TokenUrl"/> for the client id and <see cref="HttpSecrets.ClientSecret"/>.</summary>
    OAuth2ClientCredentials,
}

/// <summary>How calls prove who they are; the secret half is in <see cref="HttpSecrets"/>.</summary>
public sealed record HttpAuthentication
{
    public HttpAuthenticationType Type { get; init; }

    /// <summary>Basic.</summary>
    public string? Username { get; init; }

    /// <summary>ApiKey: the header carrying the key.</summary>
    public string HeaderName { get; init; } = "X-API-Key";

    /// <summary>OAuth2: the token endpoint (absolute http or https URL).</summary>
    public string? TokenUrl { get; init; }

    /// <summary>OAuth2.</summary>
    public string? ClientId { get; init; }

    /// <summary>OAuth2: space-separated scopes asked for; empty: the endpoint's default.</summary>
    public string? Scope { get; init; }

    /// <summary>OAuth2: client id and secret in the form body rather than in a Basic header (RFC 6749 prefers the header).</summary>
    public bool ClientCredentialsInBody { get; init; }

    public IReadOnlyDictionary<string, string[]> Problems()
    {
        var problems = new SettingsProblems();
        switch (Type)
        {
            case HttpAuthenticationType.Basic:
                if (string.IsNullOrEmpty(Username)) problems.Add("username", "Basic authentication needs a user name.");
                else if (Username.Contains(':') || Username.Any(char.IsControl)) problems.Add("username", "A Basic user name has no colon or control character.");
                break;
            case HttpAuthenticationType.ApiKey:
                problems.Add("headerName", HttpHeaderRules.Problem(HeaderName, ""));
                break;
            case HttpAuthenticationType.OAuth2ClientCredentials:
                if (!Uri.TryCreate(TokenUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                    problems.Add("tokenUrl", "The token URL must be an absolute http:// or https:// URL.");
                if (string.IsNullOrWhiteSpace(ClientId)) problems.Add("clientId", "OAuth2 needs a client id.");
                if (Scope?.Any(char.IsControl) == true) problems.Add("scope", "The scope has no control character.");
                break;
            case HttpAuthenticationType.None:
            case HttpAuthenticationType.Bearer:
                break;
            default:
                problems.Add("type", "Unknown authentication type.");
                break;
        }

        return problems.ToDictionary();
    }
}
