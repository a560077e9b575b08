using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace IoTRoutes.Core.Communicators;

/// <summary>
/// Encrypts communicators' secrets at rest with ASP.NET Core Data Protection (keys in the database, see
/// <see cref="DatabaseKeyRepository"/>): what is stored cannot be read without the key ring, and nothing here logs a value.
/// </summary>
public sealed class CommunicatorSecretBox(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("IoTRoutes.Communicators.Secrets.v1");

    public string? Protect(IReadOnlyDictionary<string, string> secrets) =>
        secrets.Count == 0 ? null : _protector.Protect(JsonSerializer.Serialize(secrets));

    /// <exception cref="CommunicatorException">The key that protected them is gone (the database was restored without its keys).</exception>
    public IReadOnlyDictionary<string, string> Unprotect(string? protectedSecrets)
    {
        if (protectedSecrets is null) return new Dictionary<string, string>();
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(_protector.Unprotect(protectedSecrets)) ?? [];
        }
        catch (CryptographicException e)
        {
            throw new CommunicatorException(ConnectionFailure.Credentials,
                "The communicator's secrets cannot be decrypted (their key is missing): enter them again.", e);
        }
    }
}
