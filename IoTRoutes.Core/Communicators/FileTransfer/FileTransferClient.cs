namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// The file-transfer communicator: checks the settings and secrets, then hands the operation to the FTP/FTPS or the
/// SFTP client by <see cref="FileTransferSettings.Protocol"/>.
/// </summary>
public sealed class FileTransferClient(TimeProvider clock) : IFileTransferClient
{
    private readonly FtpFileTransferClient _ftp = new(clock);
    private readonly SftpFileTransferClient _sftp = new(clock);

    public async Task<FileTransferTestResult> TestAsync(FileTransferSettings settings, FileTransferSecrets secrets, CancellationToken ct)
    {
        if (Invalid(settings, secrets) is { } invalid)
        {
            return new(ConnectionTestResult.Failed(invalid, 0));
        }

        return await For(settings).TestAsync(settings, secrets, ct);
    }

    public Task UploadAsync(FileTransferSettings settings, FileTransferSecrets secrets, string remoteName, Stream content, CancellationToken ct) =>
        Invalid(settings, secrets) is { } invalid ? Task.FromException(invalid) : For(settings).UploadAsync(settings, secrets, remoteName, content, ct);

    public Task DownloadAsync(FileTransferSettings settings, FileTransferSecrets secrets, string remoteName, Stream destination, CancellationToken ct) =>
        Invalid(settings, secrets) is { } invalid ? Task.FromException(invalid) : For(settings).DownloadAsync(settings, secrets, remoteName, destination, ct);

    public Task<IReadOnlyList<RemoteFile>> ListAsync(FileTransferSettings settings, FileTransferSecrets secrets, CancellationToken ct) =>
        Invalid(settings, secrets) is { } invalid ? Task.FromException<IReadOnlyList<RemoteFile>>(invalid) : For(settings).ListAsync(settings, secrets, ct);

    private IFileTransferClient For(FileTransferSettings settings) => settings.Protocol == FileTransferProtocol.Sftp ? _sftp : _ftp;

    /// <summary>
    /// The settings' or secrets' first problem as a failure, or null when both are valid. The private key is read at
    /// the log-in, not here too: an unreadable key is a credentials failure from there.
    /// </summary>
    private static CommunicatorException? Invalid(FileTransferSettings settings, FileTransferSecrets secrets)
    {
        if (settings.Problems().Values.FirstOrDefault() is { } settingsProblems)
        {
            return new CommunicatorException(ConnectionFailure.Other, $"The file-transfer settings are not valid: {settingsProblems[0]}");
        }

        return secrets.Problems(settings, readKey: false).Values.FirstOrDefault() is { } secretsProblems
            ? new CommunicatorException(ConnectionFailure.Credentials, $"The file-transfer credentials are not valid: {secretsProblems[0]}")
            : null;
    }
}
