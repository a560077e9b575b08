using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTRoutes.Core.Communicators;

/// <summary>
/// Whether a communicator trusts the certificate its server presents: the system's trust, plus the CA certificates
/// given in PEM (a private PKI), or else exactly one pinned certificate (SHA-256 of its DER bytes). Nothing turns the
/// check off: a self-signed server is accepted by pinning its certificate or by giving it as the CA.
/// </summary>
public sealed class ServerCertificateTrust
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly X509Certificate2Collection? _authorities;
    private readonly byte[]? _pin;
    private volatile string? _lastRejection;

    private ServerCertificateTrust(X509Certificate2Collection? authorities, byte[]? pin)
    {
        _authorities = authorities;
        _pin = pin;
    }

    /// <summary>Why the last certificate was refused, for the failure message ("its certificate is not trusted (UntrustedRoot)").</summary>
    public string? LastRejection => _lastRejection;

    /// <summary>The trust for these settings; call <see cref="PemProblem"/> and <see cref="PinProblem"/> first, this throws on bad input.</summary>
    public static ServerCertificateTrust Create(string? caCertificatePem, string? acceptCertificateSha256)
    {
        X509Certificate2Collection? authorities = null;
        if (!string.IsNullOrWhiteSpace(caCertificatePem))
        {
            authorities = [];
            authorities.ImportFromPem(caCertificatePem);
        }

        var pin = ParsePin(acceptCertificateSha256);
        if (pin is null && !string.IsNullOrWhiteSpace(acceptCertificateSha256)) throw new ArgumentException(PinProblem(acceptCertificateSha256));
        return new(authorities, pin);
    }

    /// <summary>The certificates of a PEM text; empty when it holds none or cannot be read.</summary>
    public static X509Certificate2Collection ReadCertificates(string pem)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            certificates.Clear();
        }

        return certificates;
    }

    /// <summary>Null when the text holds at least one PEM certificate, else a sentence saying what is wrong.</summary>
    public static string? PemProblem(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem)) return null;
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPem(pem);
            return certificates.Count == 0 ? "No certificate found: paste the CA certificate in PEM (-----BEGIN CERTIFICATE-----)." : null;
        }
        catch (CryptographicException)
        {
            return "Not a certificate in PEM: paste the CA certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----).";
        }
    }

    /// <summary>Null when the pin is empty or 64 hexadecimal digits (colons and spaces allowed), else a sentence.</summary>
    public static string? PinProblem(string? pin) =>
        string.IsNullOrWhiteSpace(pin) || ParsePin(pin) is not null
            ? null
            : "The certificate's SHA-256 fingerprint is 64 hexadecimal digits (colons allowed).";

    /// <summary>The fingerprint as hexadecimal, as shown to people and compared with a pin.</summary>
    public static string Fingerprint(X509Certificate certificate) => Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));

    /// <summary>For <c>RemoteCertificateValidationCallback</c>: true when the certificate is trusted.</summary>
    public bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null) return Reject("the server sent no certificate");

        if (_pin is not null)
        {
            var hash = SHA256.HashData(certificate.GetRawCertData());
            return CryptographicOperations.FixedTimeEquals(hash, _pin)
                || Reject($"its certificate (SHA-256 {Convert.ToHexString(hash)}) is not the pinned one");
        }

        if (errors == SslPolicyErrors.None) return true;
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return Reject("its certificate is for another host name");
        if (_authorities is null) return Reject($"its certificate is not trusted ({Status(chain)})");

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
            foreach (var element in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf) || Reject($"its certificate is not signed by the given CA ({Status(custom)})");
    }

    private bool Reject(string reason)
    {
        _lastRejection = reason;
        return false;
    }

    private static string Status(X509Chain? chain) =>
        chain is null || chain.ChainStatus.Length == 0
            ? "no chain"
            : string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());

    private static byte[]? ParsePin(string? pin)
    {
        if (string.IsNullOrWhiteSpace(pin)) return null;
        var hex = new string([.. pin.Where(c => c is not (':' or ' ' or '-'))]);
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit)) return null;
        return Convert.FromHexString(hex);
    }
}
