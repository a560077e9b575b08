using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// Decides whether an FTPS server's certificate is trusted: by its pinned SHA-256 when the settings pin one, else by
/// a chain to the settings' CA certificate(s) when given, else by the system's CAs; the name must match but for a pin.
/// Remembers what it saw and why it said no, so that a failed handshake can be explained and the certificate pinned.
/// </summary>
internal sealed class ServerCertificatePolicy(FileTransferSettings settings)
{
    private readonly string? _pin = string.IsNullOrWhiteSpace(settings.AcceptCertificateSha256) ? null : NormalizeSha256(settings.AcceptCertificateSha256);

    /// <summary>
    /// The name the TLS handshakes give as the server's (SNI): the host, or for an IP address a name made of it under
    /// the reserved ".invalid". .NET sends no SNI for an address and then keeps no TLS session to resume, and servers
    /// such as vsftpd (require_ssl_reuse, its default) refuse data connections that do not resume the control
    /// connection's session. The certificate is checked against the host itself (<see cref="Validate"/>).
    /// </summary>
    public string TlsName { get; } = IPAddress.TryParse(settings.Host.Trim('[', ']'), out var address)
        ? $"{address.ToString().Replace('.', '-').Replace(':', '-')}.ip.invalid"
        : settings.Host;

    /// <summary>The SHA-256 of the last certificate the server showed, in hex, or null before any.</summary>
    public string? SeenSha256 { get; private set; }

    /// <summary>Why the last certificate was refused, one clause ("it is not signed by the given CA"), or null.</summary>
    public string? Refusal { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        Refusal = null;
        if (certificate is null)
        {
            Refusal = "the server sent no certificate";
            return false;
        }

        SeenSha256 = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        if (_pin is not null)
        {
            if (string.Equals(SeenSha256, _pin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            Refusal = $"its SHA-256 fingerprint {SeenSha256} is not the pinned {_pin}";
            return false;
        }

        // The name is checked here, against the host of the settings: the handshake may use another name (TlsName).
        using var leaf = new X509Certificate2(certificate);
        if (!leaf.MatchesHostname(settings.Host))
        {
            Refusal = $"it is not issued for {settings.Host}; its SHA-256 fingerprint is {SeenSha256}";
            return false;
        }

        if (string.IsNullOrWhiteSpace(settings.CaCertificatePem))
        {
            if ((errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None)
            {
                return true;
            }

            Refusal = $"it is not trusted by this machine ({ChainProblem(chain)}); give its CA certificate or pin its SHA-256 fingerprint {SeenSha256}";
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.CustomTrustStore.AddRange(ServerCertificateTrust.ReadCertificates(settings.CaCertificatePem));
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }

        if (custom.Build(leaf))
        {
            return true;
        }

        Refusal = $"it does not chain to the given CA certificate ({ChainProblem(custom)}); its SHA-256 fingerprint is {SeenSha256}";
        return false;
    }

    /// <summary>Accepts on a data connection only the certificate the control connection accepted.</summary>
    public bool ValidateSame(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null && SeenSha256 is not null
        && string.Equals(certificate.GetCertHashString(HashAlgorithmName.SHA256), SeenSha256, StringComparison.OrdinalIgnoreCase);


    /// <summary>64 upper-case hex digits, or null when <paramref name="fingerprint"/> is not a SHA-256 in hex.</summary>
    public static string? NormalizeSha256(string fingerprint)
    {
        var hex = new string(fingerprint.Where(c => c is not (':' or ' ' or '-')).ToArray()).ToUpperInvariant();
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit) ? hex : null;
    }

    private static string ChainProblem(X509Chain? chain)
    {
        var statuses = chain?.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NoError).Select(s => s.Status.ToString()).Distinct().ToArray();
        return statuses is { Length: > 0 } ? string.Join(", ", statuses) : "no chain to a trusted CA";
    }
}
