using MailKit.Net.Smtp;
using MailKit.Security;

namespace IoTRoutes.Core.Communicators.Smtp;

/// <summary>What failed with an SMTP server, as a <see cref="CommunicatorException"/> naming the server and never the password.</summary>
internal static class SmtpFailures
{
    public static CommunicatorException Classify(Exception e, SmtpSettings settings, SmtpSecrets secrets, bool timedOut, ServerCertificateTrust trust)
    {
        var target = $"{settings.Host}:{settings.Port}";
        switch (e)
        {
            case CommunicatorException known:
                return known;
            case OperationCanceledException when timedOut:
                return new(ConnectionFailure.Timeout, $"{target} did not answer within {settings.TimeoutSeconds} s.", e);
            case SslHandshakeException:
                return new(ConnectionFailure.Tls, $"The TLS handshake with {target} failed: {trust.LastRejection ?? Reason(e)}.", e);
            case AuthenticationException:
                return new(ConnectionFailure.Credentials, $"{target} refused the user name or password of {settings.Username}: {secrets.Mask(e.Message)}", e);
            case SmtpCommandException { StatusCode: SmtpStatusCode.AuthenticationRequired }:
                return new(ConnectionFailure.Credentials, $"{target} requires authentication: give a user name and password.", e);
            case SmtpCommandException command:
                return Command(command, target, secrets);
            case SmtpProtocolException:
                return new(ConnectionFailure.Protocol, $"{target} did not answer as an SMTP server{Hint(settings)}: {e.Message}", e);
            case NotSupportedException when e.Message.Contains("STARTTLS", StringComparison.OrdinalIgnoreCase):
                return new(ConnectionFailure.Tls, $"{target} does not offer STARTTLS: choose None only for a relay on a trusted network.", e);
        }

        var failure = ConnectionFailures.Classify(e, target, timedOut);
        return failure.Failure switch
        {
            ConnectionFailure.Tls => new(ConnectionFailure.Tls, $"The TLS handshake with {target} failed: {trust.LastRejection ?? Reason(e)}{Hint(settings)}.", e),
            // MailKit's own timeout per read or write, the same number of seconds.
            ConnectionFailure.Timeout => new(ConnectionFailure.Timeout, $"{target} did not answer within {settings.TimeoutSeconds} s.", e),
            _ => failure,
        };
    }

    private static CommunicatorException Command(SmtpCommandException e, string target, SmtpSecrets secrets)
    {
        var code = (int)e.StatusCode;
        var said = $"{code} {secrets.Mask(e.Message)}".TrimEnd();
        var message = e.ErrorCode switch
        {
            SmtpErrorCode.RecipientNotAccepted => $"{target} refused the recipient {e.Mailbox?.Address}: {said}",
            SmtpErrorCode.SenderNotAccepted => $"{target} refused the sender {e.Mailbox?.Address}: {said}",
            SmtpErrorCode.MessageNotAccepted => $"{target} refused the message: {said}",
            _ => $"{target} answered {said}",
        };
        // SMTP's 4xx are temporary (try again later), its 5xx permanent.
        return new(code is >= 400 and < 500 ? ConnectionFailure.Unavailable : ConnectionFailure.Protocol, message, e);
    }

    /// <summary>Ssl against a STARTTLS port (or the reverse) shows as a broken handshake or a garbled answer.</summary>
    private static string Hint(SmtpSettings settings) => settings.Security switch
    {
        SmtpSecurity.Ssl when settings.Port != 465 => " (Ssl is TLS from the first byte, usually port 465; port 587 wants StartTls)",
        SmtpSecurity.StartTls or SmtpSecurity.None when settings.Port == 465 => " (port 465 usually wants Ssl)",
        _ => "",
    };

    private static string Reason(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException or IOException) return inner.Message.TrimEnd('.');
        }

        return "the server's certificate or protocol was refused";
    }
}
