using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.Smtp;
using MimeKit;

namespace IoTRoutes.Tests.Communicators.Smtp;

public sealed class SmtpCommunicatorTests : IDisposable
{
    private const string Password = "pä55-w0rd!";
    private readonly SmtpCommunicator _smtp = new(TimeProvider.System);
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public void Dispose() => _certificates.Dispose();

    private static readonly MailMessageSpec Alert = new()
    {
        To = ["ops@example.com", "Night Shift <night@example.com>"],
        Subject = "Pump 7: pressure high",
        TextBody = "Pressure 9.1 bar",
        HtmlBody = "<p>Pressure <b>9.1</b> bar</p>",
        IdempotencyKey = "4b1d/raise-mail",
    };

    [Fact]
    public async Task A_mail_arrives_with_its_subject_text_and_html_from_the_sender()
    {
        await using var server = await SmtpTestServer.StartAsync();
        var settings = new SmtpSettings { Host = "127.0.0.1", Port = server.Port, Security = SmtpSecurity.None, Sender = "iot@plant.example", SenderName = "IoT Plant" };

        var result = await _smtp.SendAsync(settings, new SmtpSecrets(), Alert with { To = ["ops@example.com", "night@example.com"] }, CancellationToken.None);

        var mail = Assert.Single(server.Received());
        Assert.Equal("Pump 7: pressure high", mail.Subject);
        Assert.Equal("Pressure 9.1 bar", mail.TextBody?.Trim());
        Assert.Equal("<p>Pressure <b>9.1</b> bar</p>", mail.HtmlBody?.Trim());
        Assert.Equal("\"IoT Plant\" <iot@plant.example>", mail.From.ToString());
        Assert.Equal(["ops@example.com", "night@example.com"], mail.To.Mailboxes.Select(m => m.Address));
        Assert.Equal(result.MessageId, mail.MessageId);
        Assert.EndsWith("@plant.example", mail.MessageId);
        Assert.StartsWith("2.0.0 Stored", result.ServerResponse);

        // The same effect key gives the same Message-Id: a mail sent again after a crash is recognisably the same.
        var again = await _smtp.SendAsync(settings, new SmtpSecrets(), Alert with { To = ["ops@example.com"] }, CancellationToken.None);
        Assert.Equal(result.MessageId, again.MessageId);
    }

    [Fact]
    public async Task Starttls_with_the_given_ca_authenticates_and_sends()
    {
        await using var server = await SmtpTestServer.StartAsync(SmtpTestMode.StartTls, _certificates, "alerts", Password);

        await _smtp.SendAsync(StartTls(server), new SmtpSecrets { Password = Password }, Alert with { To = ["ops@example.com"] }, CancellationToken.None);

        Assert.Equal("Pump 7: pressure high", Assert.Single(server.Received()).Subject);
        Assert.Equal(["PLAIN ok"], server.AuthenticationAttempts);
    }

    [Theory]
    [InlineData("PLAIN", "LOGIN ok")]
    [InlineData("LOGIN", "PLAIN ok")]
    public async Task Login_and_plain_authentication_both_work(string excluded, string used)
    {
        await using var server = await SmtpTestServer.StartAsync(SmtpTestMode.StartTls, _certificates, "alerts", Password, excluded);

        var result = await _smtp.TestAsync(StartTls(server), new SmtpSecrets { Password = Password }, null, CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal([used], server.AuthenticationAttempts);
        Assert.Empty(server.Received());
    }

    [Fact]
    public async Task Implicit_tls_works_with_a_pinned_certificate()
    {
        await using var server = await SmtpTestServer.StartAsync(SmtpTestMode.Ssl, _certificates, "alerts", Password);
        var settings = StartTls(server) with { Security = SmtpSecurity.Ssl, CaCertificatePem = null, AcceptCertificateSha256 = _certificates.ServerSha256 };

        await _smtp.SendAsync(settings, new SmtpSecrets { Password = Password }, Alert with { To = ["ops@example.com"] }, CancellationToken.None);

        Assert.Single(server.Received());
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_as_tls()
    {
        await using var server = await SmtpTestServer.StartAsync(SmtpTestMode.StartTls, _certificates, "alerts", Password);

        var e = await Assert.ThrowsAsync<CommunicatorException>(() =>
            _smtp.SendAsync(StartTls(server) with { CaCertificatePem = null }, new SmtpSecrets { Password = Password }, Alert, CancellationToken.None));

        AssertFailure(ConnectionFailure.Tls, e);
        Assert.StartsWith($"The TLS handshake with 127.0.0.1:{server.Port} failed: its certificate is not trusted (", e.Message);
        Assert.Empty(server.AuthenticationAttempts);
    }

    [Fact]
    public async Task A_wrong_password_fails_as_credentials_and_no_message_holds_it()
    {
        await using var server = await SmtpTestServer.StartAsync(SmtpTestMode.StartTls, _certificates, "alerts", Password);
        var wrong = new SmtpSecrets { Password = "not-" + Password };

        var e = await Assert.ThrowsAsync<CommunicatorException>(() => _smtp.SendAsync(StartTls(server), wrong, Alert, CancellationToken.None));
        var test = await _smtp.TestAsync(StartTls(server), wrong, null, CancellationToken.None);

        AssertFailure(ConnectionFailure.Credentials, e);
        Assert.StartsWith($"127.0.0.1:{server.Port} refused the user name or password of alerts:", e.Message);
        Assert.Equal((false, ConnectionFailure.Credentials, e.Message), (test.Succeeded, test.Failure, test.Error));
        foreach (var text in new[] { e.Message, test.Error!, wrong.ToString(), e.ToString() }) Assert.DoesNotContain(Password, text);
        Assert.Empty(server.Received());
    }

    [Fact]
    public async Task Starttls_against_a_server_without_it_fails_as_tls_rather_than_sending_in_clear()
    {
        await using var server = await SmtpTestServer.StartAsync();

        var e = await Assert.ThrowsAsync<CommunicatorException>(() =>
            _smtp.SendAsync(new SmtpSettings { Host = "127.0.0.1", Port = server.Port, Sender = "iot@plant.example" }, new SmtpSecrets(), Alert, CancellationToken.None));

        AssertFailure(ConnectionFailure.Tls, e);
        Assert.Contains("does not offer STARTTLS", e.Message);
        Assert.Empty(server.Received());
    }

    [Fact]
    public async Task A_refused_recipient_fails_as_protocol_naming_the_address()
    {
        await using var server = await SmtpTestServer.StartAsync();
        var settings = new SmtpSettings { Host = "127.0.0.1", Port = server.Port, Security = SmtpSecurity.None, Sender = "iot@plant.example" };

        var e = await Assert.ThrowsAsync<CommunicatorException>(() =>
            _smtp.SendAsync(settings, new SmtpSecrets(), Alert with { To = ["refused@example.com"] }, CancellationToken.None));

        AssertFailure(ConnectionFailure.Protocol, e);
        Assert.Equal($"127.0.0.1:{server.Port} refused the recipient refused@example.com: 550 5.1.1 No such user here", e.Message);
    }

    [Fact]
    public async Task A_closed_port_fails_as_refused()
    {
        var port = Infrastructure.FreePort.Next();

        var result = await _smtp.TestAsync(new SmtpSettings { Host = "127.0.0.1", Port = port, Sender = "iot@plant.example" }, new SmtpSecrets(), null, CancellationToken.None);

        Assert.Equal((false, ConnectionFailure.Refused), (result.Succeeded, result.Failure));
        Assert.Contains($"127.0.0.1:{port} refused the connection", result.Error);
    }

    [Fact]
    public async Task A_server_that_never_greets_fails_as_a_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<CommunicatorException>(() => _smtp.SendAsync(
            new SmtpSettings { Host = "127.0.0.1", Port = port, Sender = "iot@plant.example", TimeoutSeconds = 1 }, new SmtpSecrets(), Alert, CancellationToken.None));

        AssertFailure(ConnectionFailure.Timeout, e);
        Assert.Equal($"127.0.0.1:{port} did not answer within 1 s.", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_connection_test_with_a_recipient_sends_a_short_test_mail()
    {
        await using var server = await SmtpTestServer.StartAsync(SmtpTestMode.StartTls, _certificates, "alerts", Password);

        var result = await _smtp.TestAsync(StartTls(server), new SmtpSecrets { Password = Password }, "ops@example.com", CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        var mail = Assert.Single(server.Received());
        Assert.Equal("IoTRoutes test mail", mail.Subject);
        Assert.Contains($"127.0.0.1:{server.Port}", mail.TextBody);
    }

    [Fact]
    public async Task A_rendered_template_is_sent_with_values_encoded_in_the_html_body_only()
    {
        await using var server = await SmtpTestServer.StartAsync();
        var (template, problems) = new MailTemplates().Compile(
            "{{ alert.severity }}: {{ device.name }}", "{{ device.name }} reads {{ fields.note }}", "<p>{{ device.name }} reads {{ note }}</p>");
        Assert.Empty(problems);
        var rendered = template!.Render(new MailTemplateModel(
            new Dictionary<string, object?> { ["note"] = "<script>x</script> & co" },
            new Dictionary<string, object?> { ["severity"] = "Critical" },
            new Dictionary<string, object?> { ["name"] = "Pump \"7\"" }));

        await _smtp.SendAsync(new SmtpSettings { Host = "127.0.0.1", Port = server.Port, Security = SmtpSecurity.None, Sender = "iot@plant.example" },
            new SmtpSecrets(), new MailMessageSpec { To = ["ops@example.com"], Subject = rendered.Subject, TextBody = rendered.TextBody, HtmlBody = rendered.HtmlBody },
            CancellationToken.None);

        var mail = Assert.Single(server.Received());
        Assert.Equal("Critical: Pump \"7\"", mail.Subject);
        Assert.Equal("Pump \"7\" reads <script>x</script> & co", mail.TextBody?.Trim());
        Assert.Equal("<p>Pump &quot;7&quot; reads &lt;script&gt;x&lt;/script&gt; &amp; co</p>", mail.HtmlBody?.Trim());
    }

    private static void AssertFailure(ConnectionFailure expected, CommunicatorException e) =>
        Assert.True(e.Failure == expected, $"{e.Failure}: {e.Message} / {e.InnerException}");

    private SmtpSettings StartTls(SmtpTestServer server) => new()
    {
        Host = "127.0.0.1",
        Port = server.Port,
        Security = SmtpSecurity.StartTls,
        Username = "alerts",
        Sender = "alerts@plant.example",
        CaCertificatePem = _certificates.AuthorityPem,
        TimeoutSeconds = 10,
    };
}
