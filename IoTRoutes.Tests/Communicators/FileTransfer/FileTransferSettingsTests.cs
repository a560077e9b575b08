using System.Text.Json;
using IoTRoutes.Core.Communicators.FileTransfer;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Communicators.FileTransfer;

public sealed class FileTransferSettingsTests
{
    private static readonly FileTransferSettings Valid = new()
    {
        Protocol = FileTransferProtocol.Ftp,
        Host = "ftp.example.com",
        Username = "meter-upload",
        Directory = "/incoming",
    };

    [Fact]
    public void Settings_round_trip_through_web_json_with_enums_as_strings()
    {
        var settings = Valid with
        {
            Protocol = FileTransferProtocol.Sftp,
            Port = 2222,
            HostKeyFingerprint = "SHA256:ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og",
            AcceptCertificateSha256 = new string('a', 64),
            TimeoutSeconds = 12,
        };

        var json = JsonSerializer.Serialize(settings, JsonSerializerOptions.Web);

        Assert.Contains("\"protocol\":\"Sftp\"", json);
        Assert.Contains("\"security\":\"ExplicitTls\"", json);
        Assert.DoesNotContain("effectivePort", json);
        Assert.Equal(settings, JsonSerializer.Deserialize<FileTransferSettings>(json, JsonSerializerOptions.Web));
    }

    [Fact]
    public void The_port_defaults_to_the_protocols_own_and_ftp_defaults_to_explicit_tls()
    {
        Assert.Equal(21, Valid.EffectivePort);
        Assert.Equal(22, (Valid with { Protocol = FileTransferProtocol.Sftp }).EffectivePort);
        Assert.Equal(FtpSecurity.ExplicitTls, Valid.Security);
        Assert.Equal(30, Valid.TimeoutSeconds);
        Assert.Empty(Valid.Problems());
    }

    [Fact]
    public void Each_bad_value_is_named_by_its_field_in_camel_case()
    {
        var bad = new FileTransferSettings
        {
            Host = "ftp://example.com/dir",
            Port = 70000,
            Username = "",
            Directory = "in\r\nDELE x",
            TimeoutSeconds = 0,
            CaCertificatePem = "not a certificate",
            AcceptCertificateSha256 = "12:34",
            HostKeyFingerprint = "MD5:aa:bb",
        };

        var problems = bad.Problems();

        Assert.Equal(
            ["acceptCertificateSha256", "caCertificatePem", "directory", "host", "hostKeyFingerprint", "port", "timeoutSeconds", "username"],
            problems.Keys.Order());
        Assert.Contains("required", problems["username"][0]);
        Assert.Contains("host", (bad with { Host = " " }).Problems().Keys);
    }

    [Fact]
    public void Fingerprints_are_accepted_as_the_tools_print_them()
    {
        var sha256 = string.Join(':', Enumerable.Range(0, 32).Select(i => i.ToString("X2")));

        Assert.Empty((Valid with { AcceptCertificateSha256 = sha256 }).Problems());
        Assert.Empty((Valid with { AcceptCertificateSha256 = sha256.Replace(":", "").ToLowerInvariant() }).Problems());
        Assert.Empty((Valid with { HostKeyFingerprint = "SHA256:ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og" }).Problems());
        Assert.Empty((Valid with { HostKeyFingerprint = "ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og=" }).Problems());
        Assert.NotEmpty((Valid with { HostKeyFingerprint = "SHA256:tooShort" }).Problems());
    }

    [Fact]
    public void Secrets_never_show_their_values_in_to_string()
    {
        var secrets = new FileTransferSecrets { Password = "hunter2-secret", PrivateKeyPassphrase = "passphrase-secret" };

        var shown = secrets.ToString();

        Assert.DoesNotContain("hunter2-secret", shown);
        Assert.DoesNotContain("passphrase-secret", shown);
        Assert.Contains("Password = ***", shown);
        Assert.Contains("PrivateKey = (none)", shown);
    }

    [Fact]
    public void Secrets_need_a_password_or_a_readable_key_and_ftp_needs_the_password()
    {
        var keyOnly = new FileTransferSecrets { PrivateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot really\n-----END OPENSSH PRIVATE KEY-----" };

        Assert.Contains("password", new FileTransferSecrets().Problems().Keys);
        Assert.Contains("privateKey", keyOnly.Problems().Keys);
        Assert.DoesNotContain("not really", keyOnly.Problems()["privateKey"][0]);
        Assert.Contains("password", new FileTransferSecrets { PrivateKey = "x" }.Problems(Valid).Keys);
        Assert.Empty(new FileTransferSecrets { Password = "p" }.Problems(Valid));
    }

    [Theory]
    [InlineData("report.csv", true)]
    [InlineData("Zählerstand 2026-12.csv", true)]
    [InlineData(".hidden", true)]
    [InlineData("", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("a..b", false)]
    [InlineData("dir/file", false)]
    [InlineData("dir\\file", false)]
    [InlineData("file\r\nQUIT", false)]
    [InlineData("tab\tname", false)]
    [InlineData(" padded ", false)]
    public void Only_plain_file_names_are_allowed(string name, bool allowed)
    {
        Assert.Equal(allowed, RemoteFileName.Problem(name) is null);
    }

    [Fact]
    public void A_temporary_name_is_hidden_unique_and_recognised_as_temporary()
    {
        var first = RemoteFileName.Temporary("report.csv");
        var second = RemoteFileName.Temporary("report.csv");

        Assert.StartsWith(".report.csv.", first);
        Assert.NotEqual(first, second);
        Assert.True(RemoteFileName.IsTemporary(first));
        Assert.False(RemoteFileName.IsTemporary("report.csv"));
        Assert.False(RemoteFileName.IsTemporary(".notes.part"));
    }

    [Fact]
    public void The_communicator_is_registered_as_one_client_for_every_protocol()
    {
        using var provider = new ServiceCollection().AddFileTransferCommunicator().BuildServiceProvider();

        Assert.IsType<FileTransferClient>(provider.GetRequiredService<IFileTransferClient>());
    }
}
