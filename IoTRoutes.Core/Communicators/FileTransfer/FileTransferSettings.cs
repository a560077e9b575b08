using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Serialization;

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>How files travel: FTP (optionally with explicit TLS, "FTPS") or SFTP over SSH.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FileTransferProtocol>))]
public enum FileTransferProtocol
{
    Ftp,
    Sftp,
}

/// <summary>Whether an FTP session is encrypted. SFTP is always encrypted and ignores this.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FtpSecurity>))]
public enum FtpSecurity
{
    /// <summary>Plain FTP: the password and the files cross the network readable by anyone on the way.</summary>
    None,

    /// <summary>FTPS as RFC 4217: AUTH TLS on the control connection, then PROT P for every data connection.</summary>
    ExplicitTls,
}

/// <summary>
/// Where a file-transfer communicator connects and what it trusts; the non-secret half of a communicator (the password
/// and key are in <see cref="FileTransferSecrets"/>).
/// </summary>
public sealed record FileTransferSettings
{
    public FileTransferProtocol Protocol { get; init; } = FileTransferProtocol.Ftp;

    public string Host { get; init; } = "";

    /// <summary>The server's port; null means the protocol's own (21 for FTP, 22 for SFTP).</summary>
    public int? Port { get; init; }

    public string Username { get; init; } = "";

    /// <summary>The directory files go to and come from, absolute or relative to the login directory; empty: the login directory.</summary>
    public string? Directory { get; init; }

    /// <summary>FTP only. Explicit TLS by default: plain FTP must be chosen knowingly.</summary>
    public FtpSecurity Security { get; init; } = FtpSecurity.ExplicitTls;

    /// <summary>FTPS only: the CA certificate(s), PEM, that the server's certificate must chain to instead of the system's CAs.</summary>
    public string? CaCertificatePem { get; init; }

    /// <summary>
    /// FTPS only: the SHA-256 of the one server certificate to accept whatever signed it (64 hex digits, colons allowed, as
    /// <c>openssl x509 -noout -fingerprint -sha256</c> prints it). The certificate's name and dates are not checked then.
    /// </summary>
    public string? AcceptCertificateSha256 { get; init; }

    /// <summary>
    /// SFTP only: the server's host key, as <c>ssh-keygen -lf</c> prints it ("SHA256:" and unpadded base64). Empty: any key
    /// is accepted, and a test reports the key's fingerprint so that it can be pinned.
    /// </summary>
    public string? HostKeyFingerprint { get; init; }

    public int TimeoutSeconds { get; init; } = 30;

    [JsonIgnore]
    public int EffectivePort => Port ?? (Protocol == FileTransferProtocol.Sftp ? 22 : 21);

    [JsonIgnore]
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>"host:port", as messages name the server.</summary>
    [JsonIgnore]
    public string Target => $"{Host}:{EffectivePort}";

    public IReadOnlyDictionary<string, string[]> Problems()
    {
        var problems = new Dictionary<string, string[]>();
        void Add(string field, string problem) => problems[field] = [problem];

        if (string.IsNullOrWhiteSpace(Host))
        {
            Add("host", "The host is required.");
        }
        else if (Host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '@'))
        {
            Add("host", "The host must be a name or an address alone, without spaces, scheme, user or path.");
        }

        if (Port is < 1 or > 65535)
        {
            Add("port", "The port must be between 1 and 65535.");
        }

        if (string.IsNullOrWhiteSpace(Username))
        {
            Add("username", "The user name is required.");
        }
        else if (Username.Any(char.IsControl))
        {
            Add("username", "The user name must not contain control characters.");
        }

        if (Directory is not null && Directory.Any(char.IsControl))
        {
            Add("directory", "The directory must not contain control characters.");
        }

        if (TimeoutSeconds is < 1 or > 600)
        {
            Add("timeoutSeconds", "The timeout must be between 1 and 600 seconds.");
        }

        if (Protocol == FileTransferProtocol.Ftp && !Enum.IsDefined(Security))
        {
            Add("security", "Security must be None or ExplicitTls.");
        }

        if (!string.IsNullOrWhiteSpace(CaCertificatePem) && ServerCertificateTrust.ReadCertificates(CaCertificatePem).Count == 0)
        {
            Add("caCertificatePem", "The CA certificate must be PEM text holding at least one certificate (-----BEGIN CERTIFICATE-----).");
        }

        if (!string.IsNullOrWhiteSpace(AcceptCertificateSha256) && ServerCertificatePolicy.NormalizeSha256(AcceptCertificateSha256) is null)
        {
            Add("acceptCertificateSha256", "The certificate fingerprint must be a SHA-256: 64 hexadecimal digits, colons allowed.");
        }

        if (!string.IsNullOrWhiteSpace(HostKeyFingerprint) && HostKeyPin.Normalize(HostKeyFingerprint) is null)
        {
            Add("hostKeyFingerprint", "The host key fingerprint must be as ssh-keygen -lf prints it: SHA256: followed by 43 base64 characters.");
        }

        return problems;
    }
}
