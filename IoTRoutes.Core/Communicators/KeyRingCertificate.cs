using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTRoutes.Core.Communicators;

/// <summary>
/// The certificate that encrypts the Data Protection key ring kept in the database: made once into the data directory
/// (<c>keyring.pfx</c>, readable by the owner only), so a copy of the database alone decrypts no communicator's secret.
/// Nodes sharing a database share this file, as they share the token signing key.
/// </summary>
public static class KeyRingCertificate
{
    public const string FileName = "keyring.pfx";

    public static X509Certificate2 LoadOrCreate(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            using var key = RSA.Create(3072);
            var request = new CertificateRequest("CN=IoTRoutes key ring", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(100));
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            try
            {
                using var file = new FileStream(path, create);
                file.Write(made.Export(X509ContentType.Pkcs12));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process of this data directory made it first: use theirs.
            }
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.EphemeralKeySet);
    }
}
