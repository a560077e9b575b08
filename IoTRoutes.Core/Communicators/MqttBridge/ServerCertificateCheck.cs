using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>
/// Decides whether the broker's TLS certificate is accepted: the pinned one, one chaining to the configured CA, or
/// (with neither) one the system trusts for the host name. Keeps why it refused, for the error message.
/// </summary>
internal sealed class ServerCertificateCheck(MqttBridgeSettings settings)
{
    private readonly string? _pin = string.IsNullOrWhiteSpace(settings.AcceptCertificateSha256)
        ? null
        : MqttBridgeSettingsRules.NormalizeFingerprint(settings.AcceptCertificateSha256);

    private readonly X509Certificate2Collection _authorities = string.IsNullOrWhiteSpace(settings.CaCertificatePem)
        ? []
        : ServerCertificateTrust.ReadCertificates(settings.CaCertificatePem);

    /// <summary>Why the certificate was refused ("is not signed by…"), or null when it was not.</summary>
    public string? Refusal { get; private set; }

    public bool Validate(MqttClientCertificateValidationEventArgs e)
    {
        if (e.Certificate is null)
        {
            Refusal = "was not sent";
            return false;
        }

        var fingerprint = Convert.ToHexStringLower(e.Certificate.GetCertHash(HashAlgorithmName.SHA256));
        if (_pin is not null && fingerprint == _pin)
        {
            return true;
        }

        if (_authorities.Count > 0)
        {
            if (e.SslPolicyErrors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            {
                Refusal = $"is not issued for the name {settings.Host}";
                return false;
            }

            if (ChainsToAuthority(e))
            {
                return true;
            }

            Refusal = _pin is null
                ? "is not signed by the configured CA certificate"
                : $"is neither the pinned one (its SHA-256 fingerprint is {fingerprint}) nor signed by the configured CA certificate";
            return false;
        }

        if (_pin is not null)
        {
            Refusal = $"is not the pinned one: its SHA-256 fingerprint is {fingerprint}";
            return false;
        }

        if (e.SslPolicyErrors == SslPolicyErrors.None)
        {
            return true;
        }

        Refusal = e.SslPolicyErrors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
            ? $"is not issued for the name {settings.Host}"
            : $"is not signed by an authority this server trusts: give the broker's CA certificate, or pin its certificate (SHA-256 {fingerprint})";
        return false;
    }

    private bool ChainsToAuthority(MqttClientCertificateValidationEventArgs e)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (e.Chain is not null)
        {
            foreach (var element in e.Chain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate); // intermediates the broker sent; trust comes only from the CA
            }
        }

        using var leaf = X509CertificateLoader.LoadCertificate(e.Certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
