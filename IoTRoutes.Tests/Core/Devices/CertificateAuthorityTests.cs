using System.Security.Cryptography.X509Certificates;
using IoTRoutes.Core;
using IoTRoutes.Core.Devices.Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Tests.Core.Devices;

public sealed class CertificateAuthorityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("iotroutes-ca").FullName;

    private CertificateAuthority NewAuthority() => new(
        Options.Create(new IoTRoutesOptions { DataDirectory = _folder }), Options.Create(new TlsOptions()), TimeProvider.System,
        NullLogger<CertificateAuthority>.Instance);

    [Fact]
    public void A_fresh_authority_signs_a_server_certificate_for_localhost_at_once()
    {
        var authority = NewAuthority();

        var server = authority.ServerCertificate;

        Assert.True(server.HasPrivateKey);
        Assert.True(authority.IssuedByThisCa(server));
        Assert.Contains("localhost", server.GetNameInfo(X509NameType.DnsName, false));
        Assert.True(File.Exists(Path.Combine(_folder, "pki", "ca.pfx")));
    }

    [Fact]
    public void The_server_certificate_is_issued_again_when_a_public_host_or_server_name_is_added_and_kept_otherwise()
    {
        var first = NewAuthority().ServerCertificate;
        var same = NewAuthority().ServerCertificate;
        var withNames = new CertificateAuthority(
            Options.Create(new IoTRoutesOptions { DataDirectory = _folder, PublicHost = "192.0.2.7" }),
            Options.Create(new TlsOptions { ServerNames = ["iot.example.test"] }), TimeProvider.System, NullLogger<CertificateAuthority>.Instance);

        var reissued = withNames.ServerCertificate;

        Assert.Equal(first.Thumbprint, same.Thumbprint); // nothing new to name: the stored one is used
        Assert.NotEqual(first.Thumbprint, reissued.Thumbprint);
        var names = reissued.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("192.0.2.7", names.EnumerateIPAddresses().Select(a => a.ToString()));
        Assert.Contains("127.0.0.1", names.EnumerateIPAddresses().Select(a => a.ToString()));
        Assert.Contains("iot.example.test", names.EnumerateDnsNames());
        Assert.Contains("localhost", names.EnumerateDnsNames());
        Assert.True(withNames.IssuedByThisCa(reissued)); // same CA: devices that trust it need nothing new
        Assert.Equal(reissued.Thumbprint, NewAuthority().ServerCertificate.Thumbprint); // more names than needed still serve
    }

    [Fact]
    public void Issued_device_certificates_chain_to_the_ca_and_name_the_device()
    {
        var authority = NewAuthority();

        var issued = authority.IssueDeviceCertificate("abc123");
        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem, issued.PrivateKeyPem);

        Assert.True(authority.IssuedByThisCa(certificate));
        Assert.Contains("CN=abc123", certificate.Subject);
        Assert.Equal(CertificateAuthority.Thumbprint(certificate), issued.Thumbprint);
        Assert.True(issued.NotAfter > DateTimeOffset.UtcNow.AddDays(300));
    }

    [Fact]
    public void The_authority_survives_a_restart_with_the_same_ca()
    {
        var first = NewAuthority().CaCertificatePem;

        var second = NewAuthority().CaCertificatePem;

        Assert.Equal(first, second);
    }

    [Fact]
    public void A_configured_pem_server_certificate_is_used_instead_of_a_generated_one()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        using var configured = new CertificateRequest("CN=broker.example", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certPath = Path.Combine(_folder, "server.crt");
        var keyPath = Path.Combine(_folder, "server.key");
        File.WriteAllText(certPath, configured.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        var authority = new CertificateAuthority(Options.Create(new IoTRoutesOptions { DataDirectory = _folder }),
            Options.Create(new TlsOptions { ServerCertificatePath = certPath, ServerKeyPath = keyPath }), TimeProvider.System, NullLogger<CertificateAuthority>.Instance);

        var server = authority.ServerCertificate;

        Assert.Equal(configured.Thumbprint, server.Thumbprint);
        Assert.True(server.HasPrivateKey);
        Assert.False(File.Exists(Path.Combine(_folder, "pki", "server.pfx")));
    }

    [Fact]
    public void A_certificate_from_elsewhere_is_not_taken_for_one_of_ours()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        using var stranger = new CertificateRequest("CN=abc123", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));

        Assert.False(NewAuthority().IssuedByThisCa(stranger));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
