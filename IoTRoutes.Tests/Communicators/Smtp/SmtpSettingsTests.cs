using System.Text.Json;
using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.Http;
using IoTRoutes.Core.Communicators.Smtp;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Communicators.Smtp;

public sealed class SmtpSettingsTests
{
    [Fact]
    public void Settings_round_trip_through_web_json_with_security_as_text()
    {
        var settings = new SmtpSettings { Host = "smtp.example.com", Security = SmtpSecurity.Ssl, Port = 465, Username = "u", Sender = "iot@example.com" };

        var json = JsonSerializer.Serialize(settings, JsonSerializerOptions.Web);

        Assert.Contains("\"security\":\"Ssl\"", json);
        Assert.Equal(settings, JsonSerializer.Deserialize<SmtpSettings>(json, JsonSerializerOptions.Web));
        Assert.Empty(settings.Problems());
    }

    [Fact]
    public void Each_bad_setting_is_named_with_a_sentence()
    {
        var problems = new SmtpSettings { Host = "bad host", Port = 0, Sender = "Ops <ops@example.com>", TimeoutSeconds = 0, Security = SmtpSecurity.None, AcceptCertificateSha256 = "00" }
            .Problems();

        Assert.Equal(["acceptCertificateSha256", "host", "port", "security", "sender", "timeoutSeconds"], problems.Keys.Order());
        Assert.Equal("'Ops <ops@example.com>' is not an e-mail address (name@example.com).", problems["sender"].Single());
    }

    [Fact]
    public void A_user_name_without_a_password_and_bad_recipients_are_refused_before_connecting()
    {
        var settings = new SmtpSettings { Host = "127.0.0.1", Port = Infrastructure.FreePort.Next(), Username = "u", Sender = "iot@example.com" };

        Assert.Equal("A user name needs its password.", new SmtpSecrets().Problems(settings)["password"].Single());
        Assert.Equal(["'not-an-address' is not an e-mail address (name@example.com)."],
            new MailMessageSpec { To = ["not-an-address"], TextBody = "x" }.Problems()["to"]);
        Assert.Equal("SmtpSecrets { values hidden }", new SmtpSecrets { Password = "p" }.ToString());
    }

    [Fact]
    public async Task An_invalid_mail_is_a_clear_error_and_not_a_connection()
    {
        var e = await Assert.ThrowsAsync<CommunicatorException>(() => new SmtpCommunicator(TimeProvider.System).SendAsync(
            new SmtpSettings { Host = "127.0.0.1", Port = Infrastructure.FreePort.Next(), Sender = "iot@example.com" }, new SmtpSecrets(),
            new MailMessageSpec { To = [] }, CancellationToken.None));

        Assert.Equal("The mail is not valid: to: At least one recipient is required. textBody: A text or HTML body is required.", e.Message);
    }
}

public sealed class CommunicatorRegistrationTests
{
    [Fact]
    public void The_http_and_smtp_communicators_resolve_from_their_registrations()
    {
        using var services = new ServiceCollection()
            .AddSmtpCommunicator()
            .AddHttpCommunicator()
            .BuildServiceProvider();

        Assert.NotNull(services.GetRequiredService<SmtpCommunicator>());
        Assert.NotNull(services.GetRequiredService<MailTemplates>());
        Assert.NotNull(services.GetRequiredService<HttpCommunicator>());
    }
}
