using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Communicators.FileTransfer;

/// <summary>
/// Two Debian vsftpd servers on 127.0.0.1 and free ports, from configurations written to a temporary directory: one
/// plain FTP, one FTPS only (explicit TLS required for log-in and data, with require_ssl_reuse on, vsftpd's default,
/// so that data connections must resume the control connection's TLS session) with a certificate of a throwaway CA.
/// Both log in <see cref="TestAccount"/> and start it in <see cref="Root"/>, which holds the directory "inbox".
/// </summary>
public sealed class VsftpdServer : IAsyncLifetime
{
    private const string Vsftpd = "/usr/sbin/vsftpd";

    private readonly string _directory = Directory.CreateTempSubdirectory("iotroutes-vsftpd-").FullName;
    private readonly List<ServerProcess> _servers = [];

    public TestAccount Account { get; private set; } = null!;

    public TestCertificates Certificates { get; private set; } = null!;

    /// <summary>The account's login directory on both servers.</summary>
    public string Root { get; private set; } = "";

    /// <summary>The directory the tests' settings name ("inbox", relative to <see cref="Root"/>).</summary>
    public string Inbox => Path.Combine(Root, "inbox");

    public int PlainPort { get; } = FreePort.Next();

    public int TlsPort { get; } = FreePort.Next();

    private string CertificateFile => Path.Combine(_directory, "server.crt");

    private string KeyFile => Path.Combine(_directory, "server.key");

    public async Task InitializeAsync()
    {
        Tool.Require(Vsftpd, "vsftpd");
        Account = await TestAccount.GetAsync();
        Root = await Account.CreateDirectoryAsync(_directory, "files");
        await Account.CreateDirectoryAsync(Root, "inbox");

        // vsftpd's privilege-separated processes chroot into an empty directory that only root may write.
        var empty = Directory.CreateDirectory(Path.Combine(_directory, "empty")).FullName;
        await Tool.RunAsync("chmod", ["711", _directory]);
        await Tool.RunAsync("chmod", ["555", empty]);
        Certificates = new TestCertificates();
        await File.WriteAllTextAsync(CertificateFile, Certificates.Server.ExportCertificatePem());
        await File.WriteAllTextAsync(KeyFile, Certificates.ServerKeyPem);

        _servers.Add(await StartAsync("plain", PlainPort, empty, tls: false));
        _servers.Add(await StartAsync("tls", TlsPort, empty, tls: true));
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        Certificates?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<ServerProcess> StartAsync(string name, int port, string empty, bool tls)
    {
        var config = Path.Combine(_directory, $"{name}.conf");
        var lines = new List<string>
        {
            "listen=YES",
            "listen_ipv6=NO",
            "listen_address=127.0.0.1",
            $"listen_port={port}",
            "background=NO",
            "anonymous_enable=NO",
            "local_enable=YES",
            "write_enable=YES",
            "local_umask=022",
            $"local_root={Root}",
            "pam_service_name=vsftpd",
            $"secure_chroot_dir={empty}",
            "seccomp_sandbox=NO",
            "pasv_enable=YES",
            "port_enable=NO",
            "delay_failed_login=0",
            "xferlog_enable=NO",
        };
        if (tls)
        {
            lines.AddRange(
            [
                "ssl_enable=YES",
                $"rsa_cert_file={CertificateFile}",
                $"rsa_private_key_file={KeyFile}",
                "force_local_logins_ssl=YES",
                "force_local_data_ssl=YES",
                "require_ssl_reuse=YES",
                "ssl_ciphers=HIGH",
            ]);
        }

        await File.WriteAllLinesAsync(config, lines);
        return await ServerProcess.StartAsync(Vsftpd, [config], port, "220");
    }
}
