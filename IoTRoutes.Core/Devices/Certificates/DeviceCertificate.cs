namespace IoTRoutes.Core.Devices.Certificates;

/// <summary>An X.509 client certificate a device may connect with: issued by IoTRoutes' CA or registered by thumbprint.</summary>
public sealed class DeviceCertificate
{
    public Guid Id { get; set; }
    public Guid DeviceId { get; set; }
    public Device? Device { get; set; }

    /// <summary>SHA-256 of the DER certificate, upper-case hex: what the broker looks up on connect.</summary>
    public required string Thumbprint { get; set; }

    public required string Subject { get; set; }
    public DateTimeOffset NotBefore { get; set; }
    public DateTimeOffset NotAfter { get; set; }

    /// <summary>True when IoTRoutes' certificate authority issued it; false when an operator registered it.</summary>
    public bool Issued { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
