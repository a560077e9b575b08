namespace IoTRoutes.Core.Devices.Certificates;

/// <summary>Bound to <c>IoTRoutes:Tls</c>. Without settings, IoTRoutes generates its CA and server certificate at first start.</summary>
public sealed class TlsOptions
{
    public const string Section = "IoTRoutes:Tls";

    /// <summary>Server certificate for the brokers' TLS ports: a PFX file, or a PEM certificate (with ServerKeyPath).</summary>
    public string? ServerCertificatePath { get; set; }

    /// <summary>PEM private key of a PEM server certificate.</summary>
    public string? ServerKeyPath { get; set; }

    /// <summary>Password of the PFX file, if it has one.</summary>
    public string? ServerCertificatePassword { get; set; }

    /// <summary>Host names and addresses the generated server certificate is valid for, besides localhost and this machine's name.</summary>
    public string[] ServerNames { get; set; } = [];

    /// <summary>Validity of device certificates the built-in CA issues, in days.</summary>
    public int DeviceCertificateDays { get; set; } = 365;
}
