using System.Security.Cryptography.X509Certificates;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Devices.Certificates;

/// <summary>Finds the device a TLS client certificate belongs to: known thumbprint, not revoked, within its validity.</summary>
public sealed class DeviceCertificateValidator(IDbContextFactory<AppDbContext> contexts, TimeProvider clock)
{
    public async Task<CertificateCheck> ValidateAsync(X509Certificate2 certificate, CancellationToken ct)
    {
        var thumbprint = CertificateAuthority.Thumbprint(certificate);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var known = await db.DeviceCertificates.AsNoTracking()
            .Where(c => c.Thumbprint == thumbprint)
            .Select(c => new { c.DeviceId, c.Device!.Key, c.RevokedAt, c.NotBefore, c.NotAfter })
            .SingleOrDefaultAsync(ct);
        var now = clock.GetUtcNow();
        if (known is not null && (now > certificate.NotAfter.ToUniversalTime() || now < certificate.NotBefore.ToUniversalTime()))
        {
            // The certificate's own dates count too (a thumbprint registration does not know them).
            return CertificateCheck.Refused($"Client certificate {thumbprint} is not valid now (valid {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}).");
        }

        return known switch
        {
            null => CertificateCheck.Refused($"Unknown client certificate {thumbprint}."),
            { RevokedAt: not null } => CertificateCheck.Refused($"Client certificate {thumbprint} was revoked."),
            _ when now > known.NotAfter => CertificateCheck.Refused($"Client certificate {thumbprint} expired at {known.NotAfter:u}."),
            _ when now < known.NotBefore => CertificateCheck.Refused($"Client certificate {thumbprint} is not valid before {known.NotBefore:u}."),
            _ => new CertificateCheck(new AuthenticatedDevice(known.DeviceId, known.Key), null),
        };
    }
}

public sealed record CertificateCheck(AuthenticatedDevice? Device, string? Problem)
{
    public static CertificateCheck Refused(string problem) => new(null, problem);
}
