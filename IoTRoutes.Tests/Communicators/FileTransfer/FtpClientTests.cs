using System.Security.Cryptography;
using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.FileTransfer;
using IoTRoutes.Tests.Infrastructure;
using static IoTRoutes.Tests.Communicators.FileTransfer.Failures;

namespace IoTRoutes.Tests.Communicators.FileTransfer;

/// <summary>FTP and FTPS against real vsftpd servers (<see cref="VsftpdServer"/>).</summary>
public sealed class FtpClientTests(VsftpdServer server) : IClassFixture<VsftpdServer>
{
    private readonly FileTransferClient _client = new(TimeProvider.System);

    private FileTransferSettings Plain => new()
    {
        Protocol = FileTransferProtocol.Ftp,
        Host = "127.0.0.1",
        Port = server.PlainPort,
        Username = server.Account.Name,
        Directory = "inbox",
        Security = FtpSecurity.None,
        TimeoutSeconds = 10,
    };

    private FileTransferSettings Tls => Plain with { Port = server.TlsPort, Security = FtpSecurity.ExplicitTls, CaCertificatePem = server.Certificates.CaPem };

    private FileTransferSecrets Secrets => new() { Password = server.Account.Password };

    [Fact]
    public async Task A_large_file_goes_up_comes_back_byte_for_byte_and_is_listed_with_its_size()
    {
        await RoundTripAsync(Plain, $"plain-{Guid.NewGuid():N}.bin");
    }

    [Fact]
    public async Task Over_ftps_every_data_connection_resumes_the_tls_session_as_vsftpd_requires()
    {
        // require_ssl_reuse=YES: a data connection that does not resume the control connection's session is refused.
        await RoundTripAsync(Tls, $"tls-{Guid.NewGuid():N}.bin");
    }

    [Fact]
    public async Task The_connection_test_logs_in_and_lists_the_directory()
    {
        var plain = await _client.TestAsync(Plain, Secrets, CancellationToken.None);
        var tls = await _client.TestAsync(Tls, Secrets, CancellationToken.None);

        Assert.True(plain.Connection.Succeeded, plain.Connection.Error);
        Assert.Null(plain.CertificateSha256);
        Assert.True(tls.Connection.Succeeded, tls.Connection.Error);
        Assert.Equal(server.Certificates.ServerSha256.Replace(":", ""), tls.CertificateSha256);
    }

    [Fact]
    public async Task An_upload_is_written_under_a_hidden_temporary_name_and_renamed_when_complete()
    {
        // Over FTPS, and with a pause while the server waits: vsftpd lost the tail of such uploads (426) until the data
        // connection waited for the server's close (FtpDataConnection.AwaitServerCloseAsync).
        var name = $"report-{Guid.NewGuid():N}.csv";
        var content = RandomNumberGenerator.GetBytes(512 * 1024);
        var source = new PausingStream(content, before: 128 * 1024);

        var upload = _client.UploadAsync(Tls, Secrets, name, source, CancellationToken.None);
        await source.Paused.WaitAsync(TimeSpan.FromSeconds(10));
        var temporary = await Eventually.GetAsync(() => Task.FromResult(Directory.GetFiles(server.Inbox, $".{name}.*.part").SingleOrDefault()), "the temporary file");
        Assert.False(File.Exists(Path.Combine(server.Inbox, name)), "The final name appeared before the upload was complete.");
        Assert.True(RemoteFileName.IsTemporary(Path.GetFileName(temporary)));

        source.Release();
        await upload;

        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(server.Inbox, name)));
        Assert.False(File.Exists(temporary));
    }

    [Fact]
    public async Task An_upload_whose_content_fails_leaves_no_file_under_either_name()
    {
        var name = $"broken-{Guid.NewGuid():N}.csv";
        var source = new PausingStream(RandomNumberGenerator.GetBytes(256 * 1024), before: 64 * 1024, fail: true);

        var upload = _client.UploadAsync(Tls, Secrets, name, source, CancellationToken.None);
        await source.Paused.WaitAsync(TimeSpan.FromSeconds(10));
        source.Release();
        await Assert.ThrowsAsync<CommunicatorException>(() => upload);

        Assert.Empty(Directory.GetFiles(server.Inbox, $"*{name}*"));
    }

    [Fact]
    public async Task An_upload_replaces_a_file_of_the_same_name()
    {
        var name = $"latest-{Guid.NewGuid():N}.txt";
        await _client.UploadAsync(Plain, Secrets, name, new MemoryStream("first version, longer"u8.ToArray()), CancellationToken.None);
        await _client.UploadAsync(Plain, Secrets, name, new MemoryStream("second"u8.ToArray()), CancellationToken.None);

        Assert.Equal("second", await File.ReadAllTextAsync(Path.Combine(server.Inbox, name)));
    }

    [Fact]
    public async Task A_wrong_password_is_a_credentials_failure_that_does_not_show_the_password()
    {
        var wrong = new FileTransferSecrets { Password = "Wrong-" + Guid.NewGuid().ToString("N") };

        var e = await AssertFailsAsync(ConnectionFailure.Credentials,
            () => _client.ListAsync(Plain, wrong, CancellationToken.None), wrong.Password!, server.Account.Password);
        Assert.Contains("530", e.Message);
        Assert.Contains($"127.0.0.1:{server.PlainPort}", e.Message);

        var overTls = await _client.TestAsync(Tls, wrong, CancellationToken.None);
        Assert.Equal(ConnectionFailure.Credentials, overTls.Connection.Failure);
        Assert.DoesNotContain(wrong.Password!, overTls.Connection.Error);
    }

    [Fact]
    public async Task An_untrusted_certificate_is_a_tls_failure_that_names_its_fingerprint()
    {
        var untrusted = Tls with { CaCertificatePem = null };

        var e = await AssertFailsAsync(ConnectionFailure.Tls, () => _client.ListAsync(untrusted, Secrets, CancellationToken.None), server.Account.Password);
        Assert.Contains(server.Certificates.ServerSha256.Replace(":", ""), e.Message);

        var test = await _client.TestAsync(untrusted, Secrets, CancellationToken.None);
        Assert.Equal(ConnectionFailure.Tls, test.Connection.Failure);
        Assert.Equal(server.Certificates.ServerSha256.Replace(":", ""), test.CertificateSha256);
    }

    [Fact]
    public async Task A_pinned_certificate_is_accepted_without_its_ca_and_another_pin_is_refused()
    {
        var pinned = Tls with { CaCertificatePem = null, AcceptCertificateSha256 = server.Certificates.ServerSha256 };
        var otherPin = pinned with { AcceptCertificateSha256 = Convert.ToHexString(SHA256.HashData("another certificate"u8)) };

        Assert.NotNull(await _client.ListAsync(pinned, Secrets, CancellationToken.None));
        var e = await AssertFailsAsync(ConnectionFailure.Tls, () => _client.ListAsync(otherPin, Secrets, CancellationToken.None));
        Assert.Contains("is not the pinned", e.Message);
    }

    [Fact]
    public async Task A_certificate_of_another_ca_is_refused_even_when_a_ca_is_given()
    {
        using var other = new TestCertificates();
        var wrongCa = Tls with { CaCertificatePem = other.CaPem };

        var e = await AssertFailsAsync(ConnectionFailure.Tls, () => _client.ListAsync(wrongCa, Secrets, CancellationToken.None));
        Assert.Contains("does not chain to the given CA", e.Message);
    }

    [Fact]
    public async Task Explicit_tls_against_a_server_without_it_is_a_tls_failure_before_the_password_is_sent()
    {
        var e = await AssertFailsAsync(ConnectionFailure.Tls,
            () => _client.ListAsync(Plain with { Security = FtpSecurity.ExplicitTls }, Secrets, CancellationToken.None));
        Assert.Contains("AUTH TLS", e.Message);
    }

    [Fact]
    public async Task A_closed_port_is_refused()
    {
        var closed = Plain with { Port = FreePort.Next() };

        var test = await _client.TestAsync(closed, Secrets, CancellationToken.None);

        Assert.Equal(ConnectionFailure.Refused, test.Connection.Failure);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_within_the_timeout()
    {
        using var silent = new SilentListener();
        var settings = Plain with { Port = silent.Port, TimeoutSeconds = 1 };

        var test = await _client.TestAsync(settings, Secrets, CancellationToken.None);

        Assert.Equal(ConnectionFailure.Timeout, test.Connection.Failure);
        Assert.InRange(test.Connection.ElapsedMs, 900, 5000);
    }

    [Fact]
    public async Task The_callers_cancellation_is_a_cancellation_not_a_failure()
    {
        using var silent = new SilentListener();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _client.TestAsync(Plain with { Port = silent.Port }, Secrets, cancel.Token));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../etc/passwd")]
    [InlineData("sub/file.txt")]
    [InlineData("sub\\file.txt")]
    [InlineData("a\r\nDELE other.txt")]
    public async Task A_name_that_is_not_a_plain_file_name_is_refused_before_connecting(string name)
    {
        var unreachable = Plain with { Port = FreePort.Next() };

        await AssertFailsAsync(ConnectionFailure.Protocol, () => _client.UploadAsync(unreachable, Secrets, name, new MemoryStream([1]), CancellationToken.None));
        await AssertFailsAsync(ConnectionFailure.Protocol, () => _client.DownloadAsync(unreachable, Secrets, name, new MemoryStream(), CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_file_or_directory_is_a_protocol_failure_in_the_servers_words()
    {
        var download = await AssertFailsAsync(ConnectionFailure.Protocol,
            () => _client.DownloadAsync(Plain, Secrets, "no-such-file.txt", new MemoryStream(), CancellationToken.None));
        var directory = await AssertFailsAsync(ConnectionFailure.Protocol,
            () => _client.ListAsync(Plain with { Directory = "no-such-directory" }, Secrets, CancellationToken.None));

        Assert.Contains("550", download.Message);
        Assert.Contains("no-such-file.txt", download.Message);
        Assert.Contains("550", directory.Message);
        Assert.Contains("no-such-directory", directory.Message);
    }

    private async Task RoundTripAsync(FileTransferSettings settings, string name)
    {
        var content = RandomNumberGenerator.GetBytes((4 * 1024 * 1024) + 123);

        await _client.UploadAsync(settings, Secrets, name, new MemoryStream(content), CancellationToken.None);
        var back = new MemoryStream();
        await _client.DownloadAsync(settings, Secrets, name, back, CancellationToken.None);
        var listed = await _client.ListAsync(settings, Secrets, CancellationToken.None);

        Assert.Equal(content, back.ToArray());
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(server.Inbox, name)));
        Assert.Contains(new RemoteFile(name, content.Length), listed);
    }
}
