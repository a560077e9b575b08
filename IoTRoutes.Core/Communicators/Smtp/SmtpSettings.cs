using System.Text.Json.Serialization;
using MimeKit;

namespace IoTRoutes.Core.Communicators.Smtp;

/// <summary>An SMTP server to send mail through, and the sender it sends as (the password is in <see cref="SmtpSecrets"/>).</summary>
public sealed record SmtpSettings
{
    public string Host { get; init; } = "";

    /// <summary>587 (submission, STARTTLS), 465 (TLS from the start), 25 (relay).</summary>
    public int Port { get; init; } = 587;

    public SmtpSecurity Security { get; init; } = SmtpSecurity.StartTls;

    /// <summary>Empty: no authentication (a relay that trusts the network).</summary>
    public string? Username { get; init; }

    /// <summary>The From address (the server may insist it matches the user).</summary>
    public string Sender { get; init; } = "";

    public string? SenderName { get; init; }

    /// <summary>CA certificates (PEM) trusted for the server besides the system's.</summary>
    public string? CaCertificatePem { get; init; }

    /// <summary>The SHA-256 of the one certificate accepted, whoever signed it.</summary>
    public string? AcceptCertificateSha256 { get; init; }

    /// <summary>For connecting (greeting, TLS, authentication) and, again, for sending.</summary>
    public int TimeoutSeconds { get; init; } = 30;

    public IReadOnlyDictionary<string, string[]> Problems()
    {
        var problems = new SettingsProblems();
        if (string.IsNullOrWhiteSpace(Host)) problems.Add("host", "A host is required (smtp.example.com).");
        else if (Uri.CheckHostName(Host) == UriHostNameType.Unknown) problems.Add("host", "Not a host name or IP address.");
        if (Port is < 1 or > 65535) problems.Add("port", "The port is 1 to 65535.");
        if (!Enum.IsDefined(Security)) problems.Add("security", "Security is None, StartTls or Ssl.");
        if (Username?.Any(char.IsControl) == true) problems.Add("username", "The user name has no control character.");
        problems.Add("sender", AddressProblem(Sender, "sender"));
        if (SenderName?.Any(char.IsControl) == true || SenderName?.Length > 200) problems.Add("senderName", "The sender name is one line of at most 200 characters.");
        if (TimeoutSeconds is < 1 or > 300) problems.Add("timeoutSeconds", "The timeout is 1 to 300 seconds.");
        problems.Add("caCertificatePem", ServerCertificateTrust.PemProblem(CaCertificatePem));
        problems.Add("acceptCertificateSha256", ServerCertificateTrust.PinProblem(AcceptCertificateSha256));
        if (!string.IsNullOrWhiteSpace(CaCertificatePem) && !string.IsNullOrWhiteSpace(AcceptCertificateSha256))
            problems.Add("acceptCertificateSha256", "Give either a CA certificate or a pinned certificate, not both.");
        if (Security == SmtpSecurity.None && (!string.IsNullOrWhiteSpace(CaCertificatePem) || !string.IsNullOrWhiteSpace(AcceptCertificateSha256)))
            problems.Add("security", "A CA or pinned certificate needs StartTls or Ssl.");
        return problems.ToDictionary();
    }

    /// <summary>Null when the text is one e-mail address ("Name &lt;address&gt;" only if <paramref name="withName"/>), else a sentence.</summary>
    internal static string? AddressProblem(string? address, string what, bool withName = false)
    {
        if (string.IsNullOrWhiteSpace(address)) return $"The {what} address is required.";
        return MailboxAddress.TryParse(address, out var mailbox) && mailbox.Address.Contains('@') && !mailbox.Address.Any(char.IsWhiteSpace)
               && (withName || mailbox.Address == address.Trim())
            ? null
            : $"'{(address.Length > 80 ? address[..80] + "…" : address)}' is not an e-mail address (name@example.com).";
    }
}

[JsonConverter(typeof(JsonStringEnumConverter<SmtpSecurity>))]
public enum SmtpSecurity
{
    /// <summary>Plain text: a relay on a trusted network.</summary>
    None,

    /// <summary>Plain, then STARTTLS before anything else; a server without it is refused.</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    Ssl,
}
