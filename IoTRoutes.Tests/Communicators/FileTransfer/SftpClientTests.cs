using System.Security.Cryptography;
using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.FileTransfer;
using IoTRoutes.Tests.Infrastructure;
using static IoTRoutes.Tests.Communicators.FileTransfer.Failures;

namespace IoTRoutes.Tests.Communicators.FileTransfer;

/// <summary>SFTP against a real OpenSSH sshd (<see cref="SshdServer"/>).</summary>
public sealed class SftpClientTests(SshdServer server) : IClassFixture<SshdServer>
{
    private readonly FileTransferClient _client = new(TimeProvider.System);

    private FileTransferSettings Settings => new()
    {
        Protocol = FileTransferProtocol.Sftp,
        Host = "127.0.0.1",
        Port = server.Port,
        Username = server.Account.Name,
        Directory = "inbox",
        HostKeyFingerprint = server.HostKeyFingerprint,
        TimeoutSeconds = 10,
    };

    private FileTransferSecrets Password => new() { Password = server.Account.Password };

    [Fact]
    public async Task A_large_file_goes_up_comes_back_byte_for_byte_and_is_listed_with_its_size()
    {
        var name = $"data-{Guid.NewGuid():N}.bin";
        var content = RandomNumberGenerator.GetBytes((4 * 1024 * 1024) + 321);

        await _client.UploadAsync(Settings, Password, name, new MemoryStream(content), CancellationToken.None);
        var back = new MemoryStream();
        await _client.DownloadAsync(Settings, Password, name, back, CancellationToken.None);
        var listed = await _client.ListAsync(Settings, Password, CancellationToken.None);

        Assert.Equal(content, back.ToArray());
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(server.Inbox, name)));
        Assert.Contains(new RemoteFile(name, content.Length), listed);
    }

    [Fact]
    public async Task A_private_key_logs_in_in_openssh_format_with_its_passphrase_and_in_pem_format()
    {
        var openSsh = new FileTransferSecrets { PrivateKey = server.OpenSshKey, PrivateKeyPassphrase = server.KeyPassphrase };
        var pem = new FileTransferSecrets { PrivateKey = server.PemKey };

        var withOpenSsh = await _client.TestAsync(Settings, openSsh, CancellationToken.None);
        var withPem = await _client.TestAsync(Settings, pem, CancellationToken.None);

        Assert.True(withOpenSsh.Connection.Succeeded, withOpenSsh.Connection.Error);
        Assert.True(withPem.Connection.Succeeded, withPem.Connection.Error);
    }

    [Fact]
    public async Task A_wrong_passphrase_or_a_key_the_server_does_not_know_is_a_credentials_failure()
    {
        var wrongPassphrase = new FileTransferSecrets { PrivateKey = server.OpenSshKey, PrivateKeyPassphrase = "not the passphrase" };
        using var unknown = RSA.Create(2048);
        var unknownKey = new FileTransferSecrets { PrivateKey = unknown.ExportRSAPrivateKeyPem() };

        await AssertFailsAsync(ConnectionFailure.Credentials,
            () => _client.ListAsync(Settings, wrongPassphrase with { }, CancellationToken.None), "not the passphrase", server.OpenSshKey[40..120]);
        await AssertFailsAsync(ConnectionFailure.Credentials,
            () => _client.ListAsync(Settings, unknownKey, CancellationToken.None), unknownKey.PrivateKey![40..120]);
    }

    [Fact]
    public async Task Without_a_pin_the_test_succeeds_and_reports_the_host_key_as_ssh_keygen_prints_it()
    {
        var test = await _client.TestAsync(Settings with { HostKeyFingerprint = null }, Password, CancellationToken.None);

        Assert.True(test.Connection.Succeeded, test.Connection.Error);
        Assert.Equal(server.HostKeyFingerprint, test.HostKeyFingerprint);
    }

    [Fact]
    public async Task A_host_key_other_than_the_pinned_one_is_refused_with_its_actual_fingerprint_and_no_password_sent()
    {
        var pinned = Settings with { HostKeyFingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData("another key"u8)).TrimEnd('=') };

        var e = await AssertFailsAsync(ConnectionFailure.Protocol, () => _client.ListAsync(pinned, Password, CancellationToken.None), server.Account.Password);
        var test = await _client.TestAsync(pinned, Password, CancellationToken.None);

        Assert.Contains("does not match the pinned fingerprint", e.Message);
        Assert.Contains(server.HostKeyFingerprint, e.Message);
        Assert.Equal(server.HostKeyFingerprint, test.HostKeyFingerprint);
        Assert.False(test.Connection.Succeeded);
    }

    [Fact]
    public async Task An_upload_is_written_under_a_hidden_temporary_name_and_renamed_when_complete()
    {
        var name = $"report-{Guid.NewGuid():N}.csv";
        var content = RandomNumberGenerator.GetBytes(512 * 1024);
        var source = new PausingStream(content, before: 128 * 1024);

        var upload = _client.UploadAsync(Settings, Password, name, source, CancellationToken.None);
        await source.Paused.WaitAsync(TimeSpan.FromSeconds(10));
        var temporary = await Eventually.GetAsync(() => Task.FromResult(Directory.GetFiles(server.Inbox, $".{name}.*.part").SingleOrDefault()), "the temporary file");
        Assert.False(File.Exists(Path.Combine(server.Inbox, name)), "The final name appeared before the upload was complete.");

        source.Release();
        await upload;

        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(server.Inbox, name)));
        Assert.False(File.Exists(temporary));
    }

    [Fact]
    public async Task An_upload_replaces_a_file_of_the_same_name_and_a_failed_one_leaves_nothing()
    {
        var name = $"latest-{Guid.NewGuid():N}.txt";
        await _client.UploadAsync(Settings, Password, name, new MemoryStream("first version, longer"u8.ToArray()), CancellationToken.None);
        await _client.UploadAsync(Settings, Password, name, new MemoryStream("second"u8.ToArray()), CancellationToken.None);
        var broken = new PausingStream(RandomNumberGenerator.GetBytes(256 * 1024), before: 64 * 1024, fail: true);
        var failing = _client.UploadAsync(Settings, Password, "broken-" + name, broken, CancellationToken.None);
        await broken.Paused.WaitAsync(TimeSpan.FromSeconds(10));
        broken.Release();
        await Assert.ThrowsAsync<CommunicatorException>(() => failing);

        Assert.Equal("second", await File.ReadAllTextAsync(Path.Combine(server.Inbox, name)));
        Assert.Empty(Directory.GetFiles(server.Inbox, $"*broken-{name}*"));
    }

    [Fact]
    public async Task A_wrong_password_is_a_credentials_failure_that_does_not_show_the_password()
    {
        var wrong = new FileTransferSecrets { Password = "Wrong-" + Guid.NewGuid().ToString("N") };

        var e = await AssertFailsAsync(ConnectionFailure.Credentials,
            () => _client.ListAsync(Settings, wrong, CancellationToken.None), wrong.Password!, server.Account.Password);

        Assert.Contains($"127.0.0.1:{server.Port}", e.Message);
    }

    [Fact]
    public async Task A_closed_port_is_refused()
    {
        var test = await _client.TestAsync(Settings with { Port = FreePort.Next() }, Password, CancellationToken.None);

        Assert.Equal(ConnectionFailure.Refused, test.Connection.Failure);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_within_the_timeout()
    {
        using var silent = new SilentListener();

        var test = await _client.TestAsync(Settings with { Port = silent.Port, TimeoutSeconds = 1 }, Password, CancellationToken.None);

        Assert.Equal(ConnectionFailure.Timeout, test.Connection.Failure);
        Assert.InRange(test.Connection.ElapsedMs, 900, 5000);
    }

    [Fact]
    public async Task The_callers_cancellation_is_a_cancellation_not_a_failure()
    {
        using var silent = new SilentListener();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _client.TestAsync(Settings with { Port = silent.Port }, Password, cancel.Token));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("name\nwith-a-line-break")]
    public async Task A_name_that_is_not_a_plain_file_name_is_refused_before_connecting(string name)
    {
        var unreachable = Settings with { Port = FreePort.Next() };

        await AssertFailsAsync(ConnectionFailure.Protocol, () => _client.UploadAsync(unreachable, Password, name, new MemoryStream([1]), CancellationToken.None));
        await AssertFailsAsync(ConnectionFailure.Protocol, () => _client.DownloadAsync(unreachable, Password, name, new MemoryStream(), CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_file_or_directory_is_a_protocol_failure_that_names_it()
    {
        var download = await AssertFailsAsync(ConnectionFailure.Protocol,
            () => _client.DownloadAsync(Settings, Password, "no-such-file.txt", new MemoryStream(), CancellationToken.None));
        var directory = await AssertFailsAsync(ConnectionFailure.Protocol,
            () => _client.ListAsync(Settings with { Directory = "no-such-directory" }, Password, CancellationToken.None));

        Assert.Contains("no-such-file.txt", download.Message);
        Assert.Contains("no-such-directory", directory.Message);
    }
}
