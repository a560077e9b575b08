using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Communicators.FileTransfer;

/// <summary>
/// OpenSSH's sshd (Debian openssh-server, not the system's service) on 127.0.0.1 and a free port, in the foreground
/// (-D -e) with its own configuration and a host key generated for the run. It admits only <see cref="TestAccount"/>,
/// by password or by one of two client keys, and only for SFTP (internal-sftp, starting in <see cref="Root"/>, which
/// holds the directory "inbox").
/// </summary>
public sealed class SshdServer : IAsyncLifetime
{
    private const string Sshd = "/usr/sbin/sshd";

    private readonly string _directory = Directory.CreateTempSubdirectory("iotroutes-sshd-").FullName;
    private ServerProcess? _server;

    public TestAccount Account { get; private set; } = null!;

    public string Root { get; private set; } = "";

    public string Inbox => Path.Combine(Root, "inbox");

    public int Port { get; } = FreePort.Next();

    /// <summary>The host key's fingerprint as <c>ssh-keygen -lf</c> prints it ("SHA256:...").</summary>
    public string HostKeyFingerprint { get; private set; } = "";

    /// <summary>An Ed25519 key in OpenSSH format, encrypted with <see cref="KeyPassphrase"/>.</summary>
    public string OpenSshKey { get; private set; } = "";

    public string KeyPassphrase { get; } = "correct horse " + Guid.NewGuid().ToString("N")[..8];

    /// <summary>An RSA key in the older PEM format ("BEGIN RSA PRIVATE KEY"), unencrypted.</summary>
    public string PemKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Tool.Require(Sshd, "openssh-server");
        Tool.Require("/usr/bin/ssh-keygen", "openssh-client");
        Account = await TestAccount.GetAsync();
        await Tool.RunAsync("chmod", ["711", _directory]);
        Root = await Account.CreateDirectoryAsync(_directory, "files");
        await Account.CreateDirectoryAsync(Root, "inbox");

        var hostKey = Path.Combine(_directory, "host_ed25519");
        await Tool.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
        HostKeyFingerprint = (await Tool.RunAsync("ssh-keygen", ["-lf", hostKey + ".pub"])).Split(' ')[1];

        var openSshKey = Path.Combine(_directory, "client_ed25519");
        await Tool.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", KeyPassphrase, "-f", openSshKey]);
        var pemKey = Path.Combine(_directory, "client_rsa");
        await Tool.RunAsync("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", pemKey]);
        OpenSshKey = await File.ReadAllTextAsync(openSshKey);
        PemKey = await File.ReadAllTextAsync(pemKey);
        var authorizedKeys = Path.Combine(_directory, "authorized_keys");
        await File.WriteAllTextAsync(authorizedKeys, await File.ReadAllTextAsync(openSshKey + ".pub") + await File.ReadAllTextAsync(pemKey + ".pub"));

        // sshd refuses to start without its privilege separation directory, which the system service would create.
        Directory.CreateDirectory("/run/sshd");
        var config = Path.Combine(_directory, "sshd_config");
        await File.WriteAllLinesAsync(config,
        [
            $"Port {Port}",
            "ListenAddress 127.0.0.1",
            $"HostKey {hostKey}",
            $"PidFile {Path.Combine(_directory, "sshd.pid")}",
            "UsePAM no",
            "PasswordAuthentication yes",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            $"AuthorizedKeysFile {authorizedKeys}",
            // The key files sit under /tmp, which is world-writable: StrictModes would refuse them.
            "StrictModes no",
            "PermitRootLogin no",
            $"AllowUsers {Account.Name}",
            "MaxAuthTries 10",
            $"Subsystem sftp internal-sftp -d {Root}",
            $"ForceCommand internal-sftp -d {Root}",
            "LogLevel VERBOSE",
        ]);
        _server = await ServerProcess.StartAsync(Sshd, ["-D", "-e", "-f", config], Port, "SSH-2.0-");
    }

    public string Output => _server?.Output ?? "";

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
