using System.Security.Authentication;
using System.Text;
using System.Text.RegularExpressions;

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// A logged-in FTP session in binary mode in the settings' directory, and the transfers it makes over passive data
/// connections (EPSV first, PASV when the server does not know EPSV).
/// </summary>
internal sealed partial class FtpSession : IAsyncDisposable
{
    private const int MaxListingBytes = 16 * 1024 * 1024;

    private readonly FtpControlConnection _control;
    private readonly HashSet<string> _features;
    private bool _epsvRefused;
    private bool _outOfStep;

    private FtpSession(FtpControlConnection control, HashSet<string> features)
    {
        _control = control;
        _features = features;
    }

    private string Target => _control.Target;

    public static async Task<FtpSession> OpenAsync(FileTransferSettings settings, FileTransferSecrets secrets, ServerCertificatePolicy policy, StepTimeout timeout)
    {
        var control = await FtpControlConnection.OpenAsync(settings.Host, settings.EffectivePort, timeout);
        try
        {
            var encrypted = settings.Security == FtpSecurity.ExplicitTls;
            if (encrypted)
            {
                await control.StartTlsAsync(policy);
            }

            await LogInAsync(control, settings.Username, secrets.Password ?? "");
            if (encrypted)
            {
                await control.ExpectAsync("PBSZ 0", "PBSZ 0", 200);
                await control.ExpectAsync("PROT P", "encrypted data connections (PROT P)", 200);
            }

            var features = await ReadFeaturesAsync(control);
            if (features.Contains("UTF8"))
            {
                await control.SendAsync("OPTS UTF8 ON");
            }

            await control.ExpectAsync("TYPE I", "binary mode (TYPE I)", 200);
            if (!string.IsNullOrWhiteSpace(settings.Directory))
            {
                await control.ExpectAsync($"CWD {settings.Directory}", $"the change to the directory '{settings.Directory}'", 200, 250);
            }

            return new FtpSession(control, features);
        }
        catch
        {
            await control.DisposeAsync();
            throw;
        }
    }

    public Task StoreAsync(string name, Stream content) =>
        TransferAsync($"STOR {name}", $"the upload of '{name}'", data => data.SendAsync(content));

    public Task RetrieveAsync(string name, Stream destination) =>
        TransferAsync($"RETR {name}", $"the download of '{name}'", data => data.ReceiveAsync(destination));

    /// <summary>The directory's files: by MLSD where the server offers it (exact), else by LIST (the Unix "ls -l" form).</summary>
    public async Task<IReadOnlyList<RemoteFile>> ListAsync()
    {
        var machineReadable = _features.Contains("MLST");
        using var listing = new MemoryStream();
        await TransferAsync(machineReadable ? "MLSD" : "LIST", "the directory listing", data => data.ReceiveAsync(listing, MaxListingBytes));

        var lines = Encoding.UTF8.GetString(listing.GetBuffer(), 0, (int)listing.Length).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines
            .Select(line => machineReadable ? FtpListing.ParseMlsd(line) : FtpListing.ParseUnixList(line))
            .OfType<RemoteFile>()
            .Where(file => !RemoteFileName.IsTemporary(file.Name))
            .OrderBy(file => file.Name, StringComparer.Ordinal)
            .ToList();
    }

    public async Task RenameAsync(string from, string to)
    {
        await _control.ExpectAsync($"RNFR {from}", $"the rename of '{from}'", 350);
        await _control.ExpectAsync($"RNTO {to}", $"the rename of '{from}' to '{to}'", 250);
    }

    /// <summary>Deletes a file if the session can still talk; never throws (used to clean up after a failure).</summary>
    public async Task TryDeleteAsync(string name)
    {
        if (_outOfStep)
        {
            return;
        }

        try
        {
            await _control.SendAsync($"DELE {name}");
        }
        catch (Exception e) when (e is CommunicatorException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // The upload's own failure is what the caller needs to hear about.
        }
    }

    public Task QuitAsync() => _control.QuitAsync();

    public ValueTask DisposeAsync() => _control.DisposeAsync();

    private static async Task LogInAsync(FtpControlConnection control, string username, string password)
    {
        var what = $"the log-in of '{username}'";
        var reply = await control.SendAsync($"USER {username}");
        if (reply.Code == 331)
        {
            reply = await control.SendAsync($"PASS {password}");
        }

        if (reply.Code == 332)
        {
            throw new CommunicatorException(ConnectionFailure.Protocol, $"{control.Target} asks for an account (ACCT) after the password, which is not supported.");
        }

        if (reply.Code != 230)
        {
            throw reply.ToFailure(control.Target, what);
        }
    }

    /// <summary>FEAT's feature names ("MLST", "UTF8", "EPSV"...); none when the server does not know FEAT.</summary>
    private static async Task<HashSet<string>> ReadFeaturesAsync(FtpControlConnection control)
    {
        var reply = await control.SendAsync("FEAT");
        var features = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (reply.Code != 211)
        {
            return features;
        }

        foreach (var line in reply.Lines.Skip(1).SkipLast(1))
        {
            var feature = line.Trim().Split(' ', 2)[0];
            if (feature.Length > 0)
            {
                features.Add(feature);
            }
        }

        return features;
    }

    /// <summary>
    /// Opens a data connection, sends <paramref name="command"/>, moves the data and reads the final reply. After a
    /// failure in the middle the server's final reply is still read, so that the session can clean up, and so that a
    /// refused TLS handshake on the data connection is explained in the server's words.
    /// </summary>
    private async Task TransferAsync(string command, string what, Func<FtpDataConnection, Task> move)
    {
        var data = await OpenPassiveAsync();
        var started = false;
        var handshaking = false;
        try
        {
            var start = await _control.SendAsync(command);
            if (start.Code is not (125 or 150))
            {
                throw start.ToFailure(Target, what);
            }

            started = true;
            if (_control.Tls is { } tls)
            {
                handshaking = true;
                await data.StartTlsAsync(tls);
                handshaking = false;
            }

            await move(data);
        }
        catch (Exception e) when (started)
        {
            await data.DisposeAsync();
            var final = await TryReadFinalReplyAsync();
            if (handshaking && final is not null && e is AuthenticationException or IOException)
            {
                // vsftpd, for one, says why here: "522 SSL connection failed: session reuse required".
                throw new CommunicatorException(ConnectionFailure.Tls, $"The TLS handshake of a data connection with {Target} failed: {final}", e);
            }

            throw;
        }
        catch
        {
            await data.DisposeAsync();
            throw;
        }

        await data.DisposeAsync();
        var done = await _control.ReadAsync();
        if (done.Code is not (226 or 250))
        {
            throw done.ToFailure(Target, what);
        }
    }

    /// <summary>The reply that ends a failed transfer, or null (and the session out of step) when it does not come.</summary>
    private async Task<FtpReply?> TryReadFinalReplyAsync()
    {
        if (!_control.Timeout.Token.IsCancellationRequested)
        {
            try
            {
                return await _control.ReadAsync();
            }
            catch (Exception e) when (e is CommunicatorException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                // Left out of step; the transfer's own failure is what the caller hears about.
            }
        }

        _outOfStep = true;
        return null;
    }

    private async Task<FtpDataConnection> OpenPassiveAsync()
    {
        int port;
        if (!_epsvRefused)
        {
            var reply = await _control.SendAsync("EPSV");
            if (reply.Code == 229)
            {
                port = ParsePort(reply, ExtendedPassive(), g => int.Parse(g[2].Value));
                return await FtpDataConnection.ConnectAsync(_control.RemoteAddress, port, Target, _control.Timeout);
            }

            if (reply.Code is not (500 or 501 or 502 or 504 or 522))
            {
                throw reply.ToFailure(Target, "a passive data connection (EPSV)");
            }

            _epsvRefused = true;
        }

        var passive = await _control.ExpectAsync("PASV", "a passive data connection (PASV)", 227);

        // The address in the reply is not used: behind NAT it is often private, and following it could send our data
        // connection to any host the server names. The data goes to the address the control connection reached.
        port = ParsePort(passive, Passive(), g => (int.Parse(g[5].Value) * 256) + int.Parse(g[6].Value));
        return await FtpDataConnection.ConnectAsync(_control.RemoteAddress, port, Target, _control.Timeout);
    }

    private int ParsePort(FtpReply reply, Regex pattern, Func<GroupCollection, int> port)
    {
        var match = pattern.Match(reply.Text);
        var value = match.Success ? port(match.Groups) : 0;
        return value is >= 1 and <= 65535
            ? value
            : throw new CommunicatorException(ConnectionFailure.Protocol, $"{Target} gave no usable data port: {reply}");
    }

    [GeneratedRegex(@"\((.)\1\1(\d{1,5})\1\)")]
    private static partial Regex ExtendedPassive();

    [GeneratedRegex(@"(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})")]
    private static partial Regex Passive();
}
