using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace IoTRoutes.Core.Communicators.Http;

/// <summary>
/// The secret half of an HTTP communicator, stored encrypted apart from <see cref="HttpSettings"/>. Its
/// <see cref="ToString"/> shows no value, and every message built from an answer has these values masked.
/// </summary>
public sealed record HttpSecrets
{
    /// <summary>Basic.</summary>
    public string? Password { get; init; }

    /// <summary>Bearer.</summary>
    public string? Token { get; init; }

    /// <summary>ApiKey.</summary>
    public string? ApiKey { get; init; }

    /// <summary>OAuth2 client credentials.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>Mutual TLS: the client certificate and its private key as a PKCS#12 (.pfx) file, in base64.</summary>
    public string? ClientCertificatePfxBase64 { get; init; }

    public string? ClientCertificatePassword { get; init; }

    /// <summary>What is wrong (a certificate that does not load, a value with a line break) and, given the settings, what is missing.</summary>
    public IReadOnlyDictionary<string, string[]> Problems(HttpSettings? settings = null)
    {
        var problems = new SettingsProblems();
        foreach (var (field, value) in new[] { ("password", Password), ("token", Token), ("apiKey", ApiKey), ("clientSecret", ClientSecret) })
        {
            if (value?.Any(char.IsControl) == true) problems.Add(field, "The value contains a line break or another control character.");
        }

        if (!string.IsNullOrEmpty(ClientCertificatePfxBase64)) problems.Add("clientCertificatePfxBase64", CertificateProblem());

        switch (settings?.Authentication.Type)
        {
            case HttpAuthenticationType.Basic when string.IsNullOrEmpty(Password):
                problems.Add("password", "Basic authentication needs a password.");
                break;
            case HttpAuthenticationType.Bearer when string.IsNullOrEmpty(Token):
                problems.Add("token", "Bearer authentication needs a token.");
                break;
            case HttpAuthenticationType.ApiKey when string.IsNullOrEmpty(ApiKey):
                problems.Add("apiKey", "API key authentication needs a key.");
                break;
            case HttpAuthenticationType.OAuth2ClientCredentials when string.IsNullOrEmpty(ClientSecret):
                problems.Add("clientSecret", "OAuth2 client credentials need a client secret.");
                break;
        }

        return problems.ToDictionary();
    }

    public override string ToString() => "HttpSecrets { values hidden }";

    /// <summary>The client certificate with its key, or null when none is given.</summary>
    internal X509Certificate2? LoadClientCertificate() =>
        string.IsNullOrEmpty(ClientCertificatePfxBase64)
            ? null
            : X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(ClientCertificatePfxBase64), ClientCertificatePassword);

    /// <summary>The text with every secret value (and the Basic credentials as sent) replaced: for messages quoting an answer.</summary>
    internal string Mask(string text, HttpSettings settings)
    {
        var basic = settings.Authentication.Username is { } user && Password is { Length: > 0 }
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{Password}"))
            : null;
        foreach (var secret in new[] { basic, Password, Token, ApiKey, ClientSecret, ClientCertificatePassword })
        {
            if (!string.IsNullOrEmpty(secret)) text = text.Replace(secret, "•••", StringComparison.Ordinal);
        }

        return text;
    }

    private string? CertificateProblem()
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(ClientCertificatePfxBase64!);
        }
        catch (FormatException)
        {
            return "The client certificate is not base64 (upload the .pfx file).";
        }

        try
        {
            using var certificate = X509CertificateLoader.LoadPkcs12(bytes, ClientCertificatePassword);
            return certificate.HasPrivateKey ? null : "The client certificate file holds no private key.";
        }
        catch (CryptographicException)
        {
            return "The client certificate file could not be opened: not a .pfx, or a wrong password.";
        }
    }
}
