using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// SFTP with SSH.NET: password or private-key log-in, the host key checked against the pinned fingerprint, one SSH
/// connection per operation.
/// </summary>
internal sealed class SftpFileTransferClient(TimeProvider clock) : IFileTransferClient
{
    public async Task<FileTransferTestResult> TestAsync(FileTransferSettings settings, FileTransferSecrets secrets, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var pin = new HostKeyPin(settings.HostKeyFingerprint);
        try
        {
            await RunAsync(settings, secrets, pin, "the directory listing", ListFilesAsync, ct);
            return new(ConnectionTestResult.Success(Elapsed(started)), HostKeyFingerprint: pin.Seen);
        }
        catch (CommunicatorException e)
        {
            return new(ConnectionTestResult.Failed(e, Elapsed(started)), HostKeyFingerprint: pin.Seen);
        }
    }

    public async Task UploadAsync(FileTransferSettings settings, FileTransferSecrets secrets, string remoteName, Stream content, CancellationToken ct)
    {
        RemoteFileName.Check(remoteName);
        await RunAsync(settings, secrets, new HostKeyPin(settings.HostKeyFingerprint), $"the upload of '{remoteName}'", async (client, timeout) =>
        {
            var temporary = RemoteFileName.Temporary(remoteName);
            try
            {
                await client.UploadFileAsync(new TimedStream(content, timeout), temporary, timeout.Restart());
                await ReplaceAsync(client, temporary, remoteName, timeout);
            }
            catch when (client.IsConnected && !timeout.Token.IsCancellationRequested)
            {
                await TryDeleteAsync(client, temporary, timeout);
                throw;
            }

            return true;
        }, ct);
    }

    public async Task DownloadAsync(FileTransferSettings settings, FileTransferSecrets secrets, string remoteName, Stream destination, CancellationToken ct)
    {
        RemoteFileName.Check(remoteName);
        await RunAsync(settings, secrets, new HostKeyPin(settings.HostKeyFingerprint), $"the download of '{remoteName}'", async (client, timeout) =>
        {
            await client.DownloadFileAsync(remoteName, new TimedStream(destination, timeout), timeout.Restart());
            return true;
        }, ct);
    }

    public Task<IReadOnlyList<RemoteFile>> ListAsync(FileTransferSettings settings, FileTransferSecrets secrets, CancellationToken ct) =>
        RunAsync(settings, secrets, new HostKeyPin(settings.HostKeyFingerprint), "the directory listing", ListFilesAsync, ct);

    private static async Task<IReadOnlyList<RemoteFile>> ListFilesAsync(SftpClient client, StepTimeout timeout)
    {
        var files = new List<RemoteFile>();
        await foreach (var entry in client.ListDirectoryAsync(".", timeout.Restart()))
        {
            timeout.Restart();
            if (entry.IsRegularFile && !RemoteFileName.IsTemporary(entry.Name))
            {
                files.Add(new RemoteFile(entry.Name, entry.Length));
            }
        }

        return files.OrderBy(file => file.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Renames the complete upload over its final name: with OpenSSH's posix-rename, which replaces atomically; with plain
    /// SFTP's rename, which refuses an existing name, after deleting that file.
    /// </summary>
    private static async Task ReplaceAsync(SftpClient client, string temporary, string name, StepTimeout timeout)
    {
        try
        {
            var ct = timeout.Restart();
            await Task.Run(() => client.RenameFile(temporary, name, isPosix: true), ct);
        }
        catch (Exception e) when (e is NotSupportedException
            || (e is SshException and not (SftpPermissionDeniedException or SftpPathNotFoundException or SshConnectionException or SshOperationTimeoutException)))
        {
            if (await client.ExistsAsync(name, timeout.Restart()))
            {
                await client.DeleteFileAsync(name, timeout.Restart());
            }

            await client.RenameFileAsync(temporary, name, timeout.Restart());
        }
    }

    private static async Task TryDeleteAsync(SftpClient client, string name, StepTimeout timeout)
    {
        try
        {
            await client.DeleteFileAsync(name, timeout.Restart());
        }
        catch (Exception e) when (e is SshException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // The upload's own failure is what the caller needs to hear about.
        }
    }

    /// <summary>Connects, logs in, changes to the directory, does <paramref name="work"/>; every failure as a <see cref="CommunicatorException"/>.</summary>
    private static async Task<T> RunAsync<T>(FileTransferSettings settings, FileTransferSecrets secrets, HostKeyPin pin, string what,
        Func<SftpClient, StepTimeout, Task<T>> work, CancellationToken ct)
    {
        using var timeout = new StepTimeout(settings.Timeout, ct);
        var info = new ConnectionInfo(settings.Host, settings.EffectivePort, settings.Username, LogIns(settings, secrets)) { Timeout = settings.Timeout };
        using var client = new SftpClient(info) { OperationTimeout = settings.Timeout };
        client.HostKeyReceived += pin.OnHostKeyReceived;
        var stage = "the log-in";
        try
        {
            await client.ConnectAsync(timeout.Restart());
            if (!string.IsNullOrWhiteSpace(settings.Directory))
            {
                stage = $"the change to the directory '{settings.Directory}'";
                await client.ChangeDirectoryAsync(settings.Directory, timeout.Restart());
            }

            stage = what;
            var result = await work(client, timeout);
            client.Disconnect();
            return result;
        }
        catch (Exception e) when (e is not CommunicatorException && !ct.IsCancellationRequested)
        {
            throw Failure(e, settings, pin, stage, timeout.Expired);
        }
    }

    private static AuthenticationMethod[] LogIns(FileTransferSettings settings, FileTransferSecrets secrets)
    {
        var methods = new List<AuthenticationMethod>();
        if (!string.IsNullOrWhiteSpace(secrets.PrivateKey))
        {
            methods.Add(new PrivateKeyAuthenticationMethod(settings.Username, SftpKeys.Read(secrets)));
        }

        if (!string.IsNullOrEmpty(secrets.Password))
        {
            methods.Add(new PasswordAuthenticationMethod(settings.Username, secrets.Password));

            // Servers that check passwords through PAM often offer only keyboard-interactive: answer its prompts too.
            var interactive = new KeyboardInteractiveAuthenticationMethod(settings.Username);
            interactive.AuthenticationPrompt += (_, e) =>
            {
                foreach (var prompt in e.Prompts)
                {
                    prompt.Response = secrets.Password;
                }
            };
            methods.Add(interactive);
        }

        return methods.Count > 0
            ? [.. methods]
            : throw new CommunicatorException(ConnectionFailure.Credentials, "SFTP needs a password or a private key to log in; neither is set.");
    }

    private static CommunicatorException Failure(Exception e, FileTransferSettings settings, HostKeyPin pin, string stage, bool timedOut)
    {
        var target = settings.Target;
        if (pin.Refused)
        {
            // Not a TLS failure (there is no TLS), not the credentials (ours were never sent): the server is not the one
            // pinned, which the operator checks before anything else. See docs/decisions/communicators-filetransfer.md.
            return new(ConnectionFailure.Protocol,
                $"The host key of {target} does not match the pinned fingerprint: the server showed {pin.Seen}, the settings pin {pin.Pinned}. " +
                "If the server's key was changed on purpose, pin the new fingerprint.", e);
        }

        return e switch
        {
            _ when timedOut => ConnectionFailures.Classify(e, target, timedOut: true),
            SshOperationTimeoutException => new(ConnectionFailure.Timeout, $"{target} did not answer in time.", e),
            SshAuthenticationException => new(ConnectionFailure.Credentials, $"{target} refused the log-in of '{settings.Username}' with the given password or key.", e),
            SftpPathNotFoundException => new(ConnectionFailure.Protocol, $"{target} refused {stage}: no such file or directory.", e),
            SftpPermissionDeniedException => new(ConnectionFailure.Protocol, $"{target} refused {stage}: permission denied.", e),
            SshConnectionException { DisconnectReason: DisconnectReason.None or DisconnectReason.ConnectionLost or DisconnectReason.TooManyConnections or DisconnectReason.ByApplication }
                => new(ConnectionFailure.Unavailable, $"{target} closed the connection during {stage}: {e.Message}", e),
            SshException => new(ConnectionFailure.Protocol, $"{target} failed {stage}: {e.Message}", e),
            _ => ConnectionFailures.Classify(e, target),
        };
    }

    private long Elapsed(long started) => (long)clock.GetElapsedTime(started).TotalMilliseconds;
}
