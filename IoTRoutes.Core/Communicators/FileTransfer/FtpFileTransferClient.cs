namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// FTP and FTPS (explicit TLS) with our own small client: <see cref="FtpSession"/> over <see cref="FtpControlConnection"/>
/// and <see cref="FtpDataConnection"/>. One session per operation, closed with QUIT.
/// </summary>
internal sealed class FtpFileTransferClient(TimeProvider clock) : IFileTransferClient
{
    public async Task<FileTransferTestResult> TestAsync(FileTransferSettings settings, FileTransferSecrets secrets, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var policy = new ServerCertificatePolicy(settings);
        try
        {
            await RunAsync(settings, secrets, policy, session => session.ListAsync(), ct);
            return new(ConnectionTestResult.Success(Elapsed(started)), CertificateSha256: policy.SeenSha256);
        }
        catch (CommunicatorException e)
        {
            return new(ConnectionTestResult.Failed(e, Elapsed(started)), CertificateSha256: policy.SeenSha256);
        }
    }

    public async Task UploadAsync(FileTransferSettings settings, FileTransferSecrets secrets, string remoteName, Stream content, CancellationToken ct)
    {
        RemoteFileName.Check(remoteName);
        await RunAsync(settings, secrets, new ServerCertificatePolicy(settings), async session =>
        {
            var temporary = RemoteFileName.Temporary(remoteName);
            try
            {
                await session.StoreAsync(temporary, content);
                await session.RenameAsync(temporary, remoteName);
            }
            catch
            {
                await session.TryDeleteAsync(temporary);
                throw;
            }

            return true;
        }, ct);
    }

    public async Task DownloadAsync(FileTransferSettings settings, FileTransferSecrets secrets, string remoteName, Stream destination, CancellationToken ct)
    {
        RemoteFileName.Check(remoteName);
        await RunAsync(settings, secrets, new ServerCertificatePolicy(settings), async session =>
        {
            await session.RetrieveAsync(remoteName, destination);
            return true;
        }, ct);
    }

    public Task<IReadOnlyList<RemoteFile>> ListAsync(FileTransferSettings settings, FileTransferSecrets secrets, CancellationToken ct) =>
        RunAsync(settings, secrets, new ServerCertificatePolicy(settings), session => session.ListAsync(), ct);

    /// <summary>Opens a session, does <paramref name="work"/>, quits; turns every failure into a <see cref="CommunicatorException"/>.</summary>
    private static async Task<T> RunAsync<T>(FileTransferSettings settings, FileTransferSecrets secrets, ServerCertificatePolicy policy,
        Func<FtpSession, Task<T>> work, CancellationToken ct)
    {
        using var timeout = new StepTimeout(settings.Timeout, ct);
        try
        {
            await using var session = await FtpSession.OpenAsync(settings, secrets, policy, timeout);
            var result = await work(session);
            await session.QuitAsync();
            return result;
        }
        catch (Exception e) when (e is not CommunicatorException && !ct.IsCancellationRequested)
        {
            throw ConnectionFailures.Classify(e, settings.Target, timeout.Expired);
        }
    }

    private long Elapsed(long started) => (long)clock.GetElapsedTime(started).TotalMilliseconds;
}
