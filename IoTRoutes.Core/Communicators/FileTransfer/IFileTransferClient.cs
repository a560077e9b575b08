namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// Moves files to and from one directory of an FTP, FTPS or SFTP server. Every operation opens its own session and
/// closes it; every failure is a <see cref="CommunicatorException"/> saying what failed, never with a secret in it.
/// </summary>
public interface IFileTransferClient
{
    /// <summary>Connects, logs in, changes to the directory and lists it. Never throws but for the caller's cancellation.</summary>
    Task<FileTransferTestResult> TestAsync(FileTransferSettings settings, FileTransferSecrets secrets, CancellationToken ct);

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="remoteName"/> in the settings' directory, replacing a file of
    /// that name. The bytes go to a temporary name first, renamed when complete: a half-sent file never shows under its
    /// final name. <paramref name="remoteName"/> is a plain file name (no '/', '\', control characters, '.' or '..').
    /// </summary>
    Task UploadAsync(FileTransferSettings settings, FileTransferSecrets secrets, string remoteName, Stream content, CancellationToken ct);

    /// <summary>Copies the file <paramref name="remoteName"/> of the settings' directory into <paramref name="destination"/>.</summary>
    Task DownloadAsync(FileTransferSettings settings, FileTransferSecrets secrets, string remoteName, Stream destination, CancellationToken ct);

    /// <summary>The files (not directories) of the settings' directory with their sizes, by name.</summary>
    Task<IReadOnlyList<RemoteFile>> ListAsync(FileTransferSettings settings, FileTransferSecrets secrets, CancellationToken ct);
}

/// <summary>A file on the server, as a listing shows it.</summary>
public sealed record RemoteFile(string Name, long Size);

/// <summary>
/// A connection test, with the server's identity as it was seen (also when the test failed because of it) so that a
/// page can offer to pin it: the SSH host key of an SFTP server, the TLS certificate of an FTPS server.
/// </summary>
/// <param name="HostKeyFingerprint">SFTP: "SHA256:..." as <c>ssh-keygen -lf</c> prints it, for <see cref="FileTransferSettings.HostKeyFingerprint"/>.</param>
/// <param name="CertificateSha256">FTPS: the certificate's SHA-256 in hex, for <see cref="FileTransferSettings.AcceptCertificateSha256"/>.</param>
public sealed record FileTransferTestResult(ConnectionTestResult Connection, string? HostKeyFingerprint = null, string? CertificateSha256 = null);
