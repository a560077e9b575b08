using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace IoTRoutes.Core.Communicators.Smtp;

/// <summary>
/// Sends mail through an SMTP server (MailKit): one connection per send, TLS as the settings say with the
/// communicator's certificate trust, authentication when a user name is given. Every failure is a
/// <see cref="CommunicatorException"/> naming the server and never the password.
/// </summary>
public sealed class SmtpCommunicator(TimeProvider clock)
{
    public async Task<MailSendResult> SendAsync(SmtpSettings settings, SmtpSecrets secrets, MailMessageSpec mail, CancellationToken ct)
    {
        Validate(settings, secrets);
        if (mail.Problems() is { Count: > 0 } problems) throw new CommunicatorException(ConnectionFailure.Other, SettingsProblems.Describe("The mail is", problems));
        var message = Build(settings, mail);
        var started = Stopwatch.GetTimestamp();
        var response = await RunAsync(settings, secrets, (client, token) => client.SendAsync(message, token), ct);
        return new MailSendResult(message.MessageId ?? "", response, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Connects, authenticates and sends NOOP; given <paramref name="to"/>, also sends a short test mail there. Never throws but for <paramref name="ct"/>.</summary>
    public async Task<ConnectionTestResult> TestAsync(SmtpSettings settings, SmtpSecrets secrets, string? to, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            Validate(settings, secrets);
            var mail = to is null ? null : new MailMessageSpec
            {
                To = [to],
                Subject = "IoTRoutes test mail",
                TextBody = $"This mail was sent by IoTRoutes to test the SMTP server {settings.Host}:{settings.Port}.",
            };
            if (mail?.Problems() is { Count: > 0 } problems) throw new CommunicatorException(ConnectionFailure.Other, SettingsProblems.Describe("The test mail is", problems));
            await RunAsync(settings, secrets, async (client, token) =>
            {
                await client.NoOpAsync(token);
                return mail is null ? "" : await client.SendAsync(Build(settings, mail), token);
            }, ct);
            return ConnectionTestResult.Success((long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (CommunicatorException e)
        {
            return ConnectionTestResult.Failed(e, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static async Task<T> RunAsync<T>(SmtpSettings settings, SmtpSecrets secrets, Func<SmtpClient, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        var trust = ServerCertificateTrust.Create(settings.CaCertificatePem, settings.AcceptCertificateSha256);
        var timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds);
        using var client = new SmtpClient
        {
            Timeout = (int)timeout.TotalMilliseconds,
            CheckCertificateRevocation = false,
            ServerCertificateValidationCallback = (_, certificate, chain, errors) => trust.Validate(certificate, chain, errors),
        };
        // One deadline for connecting (greeting, TLS, authentication), a fresh one for the work.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await client.ConnectAsync(settings.Host, settings.Port, Options(settings.Security), deadline.Token);
            if (!string.IsNullOrEmpty(settings.Username))
            {
                if (!client.Capabilities.HasFlag(SmtpCapabilities.Authentication))
                {
                    throw new CommunicatorException(ConnectionFailure.Protocol,
                        $"{settings.Host}:{settings.Port} offers no authentication on this connection{(settings.Security == SmtpSecurity.None ? " (many servers offer it only over TLS)" : "")}.");
                }

                await client.AuthenticateAsync(settings.Username, secrets.Password ?? "", deadline.Token);
            }

            deadline.CancelAfter(timeout);
            var result = await work(client, deadline.Token);
            await QuitAsync(client, deadline.Token);
            return result;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            throw SmtpFailures.Classify(e, settings, secrets, deadline.IsCancellationRequested, trust);
        }
    }

    /// <summary>
    /// QUIT, politely; its failure changes nothing: the mail was accepted, and reporting a failure now would have the
    /// workflow send it again.
    /// </summary>
    private static async Task QuitAsync(SmtpClient client, CancellationToken ct)
    {
        try
        {
            await client.DisconnectAsync(true, ct);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or MailKit.ProtocolException or System.Net.Sockets.SocketException)
        {
            // The connection is dropped with the client.
        }
    }

    private MimeMessage Build(SmtpSettings settings, MailMessageSpec mail)
    {
        var message = new MimeMessage { Date = clock.GetUtcNow(), Subject = OneLine(mail.Subject) };
        message.From.Add(new MailboxAddress(settings.SenderName ?? "", settings.Sender.Trim()));
        foreach (var to in mail.To) message.To.Add(MailboxAddress.Parse(to.Trim()));
        var domain = settings.Sender[(settings.Sender.LastIndexOf('@') + 1)..].Trim();
        message.MessageId = mail.IdempotencyKey is { } key
            ? $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32]}@{domain}"
            : MimeKit.Utils.MimeUtils.GenerateMessageId(domain);
        message.Body = new BodyBuilder { TextBody = mail.TextBody, HtmlBody = mail.HtmlBody }.ToMessageBody();
        return message;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));

    private static SecureSocketOptions Options(SmtpSecurity security) => security switch
    {
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.Ssl => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.None,
    };

    private static void Validate(SmtpSettings settings, SmtpSecrets secrets)
    {
        if (settings.Problems() is { Count: > 0 } problems) throw new CommunicatorException(ConnectionFailure.Other, SettingsProblems.Describe("The SMTP communicator's settings are", problems));
        if (secrets.Problems(settings) is { Count: > 0 } missing) throw new CommunicatorException(ConnectionFailure.Other, SettingsProblems.Describe("Its secrets are", missing));
    }
}
