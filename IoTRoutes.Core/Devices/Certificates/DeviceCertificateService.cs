using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Devices.Certificates;

public sealed record DeviceCertificateDto(Guid Id, string Thumbprint, string Subject, DateTimeOffset NotBefore, DateTimeOffset NotAfter, bool Issued, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>What an operator gets once when IoTRoutes issues a certificate: PEM certificate, private key and the CA to trust.</summary>
public sealed record IssuedDeviceCertificateDto(Guid Id, string Thumbprint, DateTimeOffset NotAfter, string CertificatePem, string PrivateKeyPem, string CaCertificatePem);

/// <summary>Register a certificate by its PEM (preferred: subject and validity are kept) or by its SHA-256 thumbprint alone.</summary>
public sealed record RegisterCertificateRequest(string? CertificatePem = null, string? Thumbprint = null);

/// <summary>A device's client certificates: issue one from the built-in CA, register an existing one, revoke.</summary>
public sealed class DeviceCertificateService(ScopedContexts contexts, CertificateAuthority authority, IDeviceConnections connections, AuditTrail audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<DeviceCertificateDto>?> ListAsync(Guid deviceId, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Devices), ct);
        await using var _db = db;
        if (!await db.Devices.AnyAsync(d => d.Id == deviceId, ct))
        {
            return null;
        }

        var certificates = await db.DeviceCertificates.AsNoTracking().Where(c => c.DeviceId == deviceId).ToListAsync(ct);
        return [.. certificates.OrderByDescending(c => c.CreatedAt).Select(ToDto)];
    }

    /// <summary>Issues a certificate for the device; its private key is in the answer and nowhere else.</summary>
    public async Task<IssuedDeviceCertificateDto?> IssueAsync(Guid deviceId, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Devices), ct);
        await using var _db = db;
        var device = await db.Devices.AsNoTracking().Where(d => d.Id == deviceId).Select(d => new { d.Key, d.Name }).SingleOrDefaultAsync(ct);
        if (device is null)
        {
            return null;
        }

        var issued = authority.IssueDeviceCertificate(device.Key);
        var record = new DeviceCertificate
        {
            Id = Guid.CreateVersion7(), DeviceId = deviceId, Thumbprint = issued.Thumbprint, Subject = issued.Subject,
            NotBefore = issued.NotBefore, NotAfter = issued.NotAfter, Issued = true, CreatedAt = clock.GetUtcNow(),
        };
        db.DeviceCertificates.Add(record);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.DeviceCertificateIssued, caller, $"{device.Name} ({device.Key})", issued.Thumbprint, ct);
        return new IssuedDeviceCertificateDto(record.Id, issued.Thumbprint, issued.NotAfter, issued.CertificatePem, issued.PrivateKeyPem, authority.CaCertificatePem);
    }

    /// <summary>Lets the device connect with a certificate from elsewhere, identified by its thumbprint.</summary>
    public async Task<(DeviceCertificateDto? Certificate, ChangeResult Result)> RegisterAsync(Guid deviceId, RegisterCertificateRequest request, CancellationToken ct)
    {
        var byThumbprint = string.IsNullOrWhiteSpace(request.CertificatePem) && request.Thumbprint is not null;
        var (candidate, problem) = byThumbprint ? FromThumbprint(request.Thumbprint!) : FromPem(request.CertificatePem);
        if (problem is not null)
        {
            return (null, problem);
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Devices), ct);
        await using var _db = db;
        var device = await db.Devices.AsNoTracking().Where(d => d.Id == deviceId).Select(d => new { d.Key, d.Name }).SingleOrDefaultAsync(ct);
        if (device is null)
        {
            return (null, ChangeResult.NotFound);
        }

        var record = candidate!;
        if (await db.DeviceCertificates.IgnoreQueryFilters().AnyAsync(c => c.Thumbprint == record.Thumbprint, ct))
        {
            return (null, ChangeResult.Invalid(byThumbprint ? "thumbprint" : "certificatePem", "This certificate is already registered."));
        }

        record.Id = Guid.CreateVersion7();
        record.DeviceId = deviceId;
        record.CreatedAt = clock.GetUtcNow();
        db.DeviceCertificates.Add(record);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.DeviceCertificateRegistered, caller, $"{device.Name} ({device.Key})", record.Thumbprint, ct);
        return (ToDto(record), ChangeResult.Done(record.Id));
    }

    private (DeviceCertificate?, ChangeResult?) FromPem(string? pem)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(pem ?? "");
        }
        catch (CryptographicException)
        {
            return (null, ChangeResult.Invalid("certificatePem", "This is not a PEM certificate (-----BEGIN CERTIFICATE-----...)."));
        }

        using var _ = certificate;
        if (certificate.NotAfter.ToUniversalTime() < clock.GetUtcNow().UtcDateTime)
        {
            return (null, ChangeResult.Invalid("certificatePem", $"This certificate expired on {certificate.NotAfter.ToUniversalTime():u}."));
        }

        return (new DeviceCertificate
        {
            Thumbprint = CertificateAuthority.Thumbprint(certificate), Subject = certificate.Subject,
            NotBefore = certificate.NotBefore.ToUniversalTime(), NotAfter = certificate.NotAfter.ToUniversalTime(), Issued = false,
        }, null);
    }

    private static (DeviceCertificate?, ChangeResult?) FromThumbprint(string thumbprint)
    {
        var normalized = thumbprint.Replace(":", "").Replace(" ", "").Trim().ToUpperInvariant();
        if (normalized.Length != 64 || !normalized.All(Uri.IsHexDigit))
        {
            return (null, ChangeResult.Invalid("thumbprint", "A thumbprint is the certificate's SHA-256 hash: 64 hexadecimal digits."));
        }

        // Without the certificate its validity is unknown here; the broker checks it on the certificate presented.
        return (new DeviceCertificate
        {
            Thumbprint = normalized, Subject = "(registered by thumbprint)", Issued = false,
            NotBefore = DateTimeOffset.MinValue.ToUniversalTime(), NotAfter = new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero),
        }, null);
    }

    /// <summary>Revokes the certificate and closes the device's connections, so it must reconnect with valid credentials.</summary>
    public async Task<ChangeResult> RevokeAsync(Guid deviceId, Guid certificateId, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Devices), ct);
        await using var _db = db;
        var certificate = await db.DeviceCertificates.Include(c => c.Device).SingleOrDefaultAsync(c => c.Id == certificateId && c.DeviceId == deviceId, ct);
        if (certificate is null)
        {
            return ChangeResult.NotFound;
        }

        if (certificate.RevokedAt is null)
        {
            certificate.RevokedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(ct);
            await connections.DisconnectAsync(certificate.Device!.Key, DeviceDisconnectReasons.CredentialsChanged, ct);
            await audit.RecordAsync(AuditActions.DeviceCertificateRevoked, caller, $"{certificate.Device.Name} ({certificate.Device.Key})", certificate.Thumbprint, ct);
        }

        return ChangeResult.Done(certificateId);
    }

    /// <summary>The CA certificate devices trust to verify the brokers' TLS ports.</summary>
    public string CaCertificatePem => authority.CaCertificatePem;

    private static DeviceCertificateDto ToDto(DeviceCertificate c) => new(c.Id, c.Thumbprint, c.Subject, c.NotBefore, c.NotAfter, c.Issued, c.CreatedAt, c.RevokedAt);
}
