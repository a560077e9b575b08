using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IoTRoutes.Core.Security;

/// <summary>The HMAC key that signs API tokens: configured, or generated once into the data directory so restarts keep tokens valid.</summary>
public sealed class SigningKeyProvider
{
    public SigningKeyProvider(IOptions<JwtOptions> jwt, IOptions<IoTRoutesOptions> app)
    {
        var configured = jwt.Value.SigningKey;
        byte[] key;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            key = Convert.FromBase64String(configured);
        }
        else
        {
            var path = Path.Combine(app.Value.ResolveDataDirectory(), "jwt-signing.key");
            if (File.Exists(path))
            {
                key = Convert.FromBase64String(File.ReadAllText(path).Trim());
            }
            else
            {
                key = RandomNumberGenerator.GetBytes(64);
                var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // readable by no one else, from the start
                }

                using var file = new StreamWriter(path, create);
                file.Write(Convert.ToBase64String(key));
            }
        }

        if (key.Length < 32)
        {
            throw new InvalidOperationException("IoTRoutes:Jwt:SigningKey must be at least 32 bytes (base64).");
        }

        Key = new SymmetricSecurityKey(key);
    }

    public SymmetricSecurityKey Key { get; }
}
