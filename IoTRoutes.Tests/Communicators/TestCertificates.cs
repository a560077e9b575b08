using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTRoutes.Tests.Communicators;

/// <summary>
/// A throwaway CA with a server certificate for 127.0.0.1 and localhost and a client certificate, made for one test:
/// no system trusts them, so a communicator connects only when given the CA (or a pin).
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(X509Certificate2 authority, X509Certificate2 server, X509Certificate2 client)
    {
        Authority = authority;
        Server = server;
        Client = client;
    }

    public X509Certificate2 Authority { get; }

    /// <summary>Signed by <see cref="Authority"/>, with its private key.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>Signed by <see cref="Authority"/>, for client authentication, with its private key.</summary>
    public X509Certificate2 Client { get; }

    public string AuthorityPem => Authority.ExportCertificatePem();

    public string ServerSha256 => Convert.ToHexString(SHA256.HashData(Server.RawData));

    public static TestCertificates Create(string name = "IoTRoutes test")
    {
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest($"CN={name} CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var authority = authorityRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        var server = Issue(authority, "CN=localhost", "1.3.6.1.5.5.7.3.1", names.Build());
        var client = Issue(authority, "CN=iotroutes-client", "1.3.6.1.5.5.7.3.2", null);
        return new TestCertificates(authority, server, client);
    }

    /// <summary>The client certificate and key as a .pfx in base64, as a user would upload it.</summary>
    public string ClientPfxBase64(string password) => Convert.ToBase64String(Client.Export(X509ContentType.Pkcs12, password));

    /// <summary>Writes the server certificate and its key as PEM files (for servers outside .NET); returns their paths.</summary>
    public (string CertificateFile, string KeyFile) WriteServerPem(string directory)
    {
        var certificateFile = Path.Combine(directory, "server.crt");
        var keyFile = Path.Combine(directory, "server.key");
        File.WriteAllText(certificateFile, Server.ExportCertificatePem());
        File.WriteAllText(keyFile, Server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile);
    }

    public void Dispose()
    {
        Authority.Dispose();
        Server.Dispose();
        Client.Dispose();
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string subject, string usage, X509Extension? names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        if (names is not null) request.CertificateExtensions.Add(names);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(authority, now.AddDays(-1), now.AddDays(29), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Through PKCS#12, as a file would be: TLS servers want a key that is not ephemeral.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
