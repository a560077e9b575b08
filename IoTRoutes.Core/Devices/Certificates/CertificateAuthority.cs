using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Devices.Certificates;

/// <summary>
/// IoTRoutes' own certificate authority: created at first start in <c>&lt;data&gt;/pki/</c>, it signs device
/// certificates and, unless one is configured, the brokers' server certificate. Devices trust the CA certificate.
/// </summary>
public sealed class CertificateAuthority
{
    private const string CaFile = "ca.pfx";
    private const string ServerFile = "server.pfx";
    private readonly Lazy<X509Certificate2> _ca;
    private readonly Lazy<X509Certificate2> _server;
    private readonly string _folder;
    private readonly string? _publicHost;
    private readonly TlsOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<CertificateAuthority> _logger;

    public CertificateAuthority(IOptions<IoTRoutesOptions> app, IOptions<TlsOptions> options, TimeProvider clock, ILogger<CertificateAuthority> logger)
    {
        _folder = Path.Combine(app.Value.ResolveDataDirectory(), "pki");
        _publicHost = app.Value.PublicHost;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        _ca = new Lazy<X509Certificate2>(LoadOrCreateCa, LazyThreadSafetyMode.ExecutionAndPublication);
        _server = new Lazy<X509Certificate2>(LoadServerCertificate, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The CA certificate in PEM, for devices to trust (mosquitto_pub --cafile).</summary>
    public string CaCertificatePem => _ca.Value.ExportCertificatePem();

    /// <summary>The certificate the brokers present on their TLS ports, with its private key.</summary>
    public X509Certificate2 ServerCertificate => _server.Value;

    public bool IssuedByThisCa(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca.Value);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _clock.GetUtcNow().UtcDateTime;
        return chain.Build(certificate);
    }

    /// <summary>A new key pair and a certificate for <paramref name="deviceKey"/> signed by the CA, in PEM.</summary>
    public IssuedCertificate IssueDeviceCertificate(string deviceKey)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={deviceKey}, O=IoTRoutes device", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false)); // client auth
        var now = _clock.GetUtcNow();
        using var certificate = request.Create(_ca.Value, WithinCa(now.AddMinutes(-5)), WithinCa(now.AddDays(_options.DeviceCertificateDays)), NewSerial());
        return new IssuedCertificate(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), Thumbprint(certificate),
            certificate.Subject, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
    }

    /// <summary>SHA-256 of the DER encoding, upper-case hex.</summary>
    public static string Thumbprint(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    private X509Certificate2 LoadOrCreateCa()
    {
        var path = Path.Combine(_folder, CaFile);
        if (File.Exists(path))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.Exportable);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=IoTRoutes device CA, O=IoTRoutes", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = _clock.GetUtcNow();
        using var ca = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(20));
        Save(path, ca);
        _logger.LogInformation("Created the IoTRoutes certificate authority in {Path}", path);
        return X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.Exportable);
    }

    private X509Certificate2 LoadServerCertificate()
    {
        if (_options.ServerCertificatePath is { } configured)
        {
            return _options.ServerKeyPath is { } keyPath
                ? X509Certificate2.CreateFromPemFile(configured, keyPath)
                : X509CertificateLoader.LoadPkcs12FromFile(configured, _options.ServerCertificatePassword);
        }

        var path = Path.Combine(_folder, ServerFile);
        var wanted = ServerNames();
        if (File.Exists(path))
        {
            var existing = X509CertificateLoader.LoadPkcs12FromFile(path, null);
            var missing = wanted.Except(NamesOf(existing), StringComparer.OrdinalIgnoreCase).ToList();
            if (missing.Count == 0)
            {
                return existing;
            }

            // Devices trust the CA, not this certificate: issuing it again with the names now configured breaks no one.
            existing.Dispose();
            _logger.LogInformation("Issuing the brokers' server certificate again: it did not name {Names}", string.Join(", ", missing));
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=IoTRoutes broker", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in wanted)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                names.AddIpAddress(ip);
            }
            else
            {
                names.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server auth
        var now = _clock.GetUtcNow();
        using var signed = request.Create(_ca.Value, WithinCa(now.AddDays(-1)), WithinCa(now.AddYears(2)), NewSerial());
        using var withKey = signed.CopyWithPrivateKey(key);
        Save(path, withKey, replace: true);
        _logger.LogInformation("Created a development server certificate for the brokers' TLS ports in {Path}", path);
        return X509CertificateLoader.LoadPkcs12FromFile(path, null);
    }

    /// <summary>
    /// The names the brokers' own certificate must carry for a device's host name check to pass: this machine (its name, its
    /// loopback and its current addresses), IoTRoutes:PublicHost (the host the device page's commands use) and
    /// IoTRoutes:Tls:ServerNames.
    /// </summary>
    private List<string> ServerNames()
    {
        var names = new List<string> { "localhost", Environment.MachineName, IPAddress.Loopback.ToString(), IPAddress.IPv6Loopback.ToString() };
        names.AddRange(MachineAddresses());
        if (!string.IsNullOrWhiteSpace(_publicHost)) names.Add(_publicHost.Trim());
        names.AddRange(_options.ServerNames.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()));
        return names.Select(Canonical).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static IEnumerable<string> MachineAddresses()
    {
        try
        {
            return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal)
                .Select(a => a.ToString())
                .ToList();
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            return [];
        }
    }

    /// <summary>An address as a certificate's names give it back (::1 rather than 0:0:…:1); a DNS name as it is.</summary>
    private static string Canonical(string name) => IPAddress.TryParse(name, out var ip) ? ip.ToString() : name;

    private static IEnumerable<string> NamesOf(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return extension is null ? [] : extension.EnumerateDnsNames().Concat(extension.EnumerateIPAddresses().Select(ip => ip.ToString()));
    }

    private void Save(string path, X509Certificate2 certificate, bool replace = false)
    {
        Directory.CreateDirectory(_folder);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, certificate.Export(X509ContentType.Pfx));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, path, overwrite: replace);
    }

    // A certificate cannot be valid outside its issuer's validity; X.509 times also lose the sub-second part,
    // which can put a CA created a moment ago "later" than a certificate it signs right away.
    private DateTimeOffset WithinCa(DateTimeOffset time)
    {
        var ca = _ca.Value;
        var notBefore = new DateTimeOffset(ca.NotBefore.ToUniversalTime()).AddSeconds(1);
        var notAfter = new DateTimeOffset(ca.NotAfter.ToUniversalTime()).AddSeconds(-1);
        return time < notBefore ? notBefore : time > notAfter ? notAfter : time;
    }

    private static byte[] NewSerial() => RandomNumberGenerator.GetBytes(16);
}

public sealed record IssuedCertificate(string CertificatePem, string PrivateKeyPem, string Thumbprint, string Subject, DateTimeOffset NotBefore, DateTimeOffset NotAfter);
