using System.Security.Cryptography;
using System.Text;

namespace IoTRoutes.Core.Devices;

/// <summary>
/// Device keys and secrets. Secrets are 256 random bits, so a single SHA-256 is as strong as a slow hash
/// here and keeps a reconnect storm of thousands of devices cheap.
/// </summary>
public static class DeviceSecrets
{
    private const string KeyAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    /// <summary>A topic-safe key: lowercase letters and digits only.</summary>
    public static string NewKey() => RandomNumberGenerator.GetString(KeyAlphabet, 12);

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));
}
