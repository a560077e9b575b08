namespace IoTRoutes.Core.Communicators.Smtp;

/// <summary>A mail to send: recipients, subject and a text body, an HTML body, or both (sent as alternatives).</summary>
public sealed record MailMessageSpec
{
    public const int MaxRecipients = 100;

    /// <summary>"ops@example.com" or "Night shift &lt;night@example.com&gt;".</summary>
    public IReadOnlyList<string> To { get; init; } = [];

    public string Subject { get; init; } = "";

    public string? TextBody { get; init; }

    public string? HtmlBody { get; init; }

    /// <summary>
    /// The workflow's effect key: the Message-Id is derived from it, so that a mail sent again after a crash carries the
    /// same id and mail systems can tell it is the same mail. Null: a new id.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    public IReadOnlyDictionary<string, string[]> Problems()
    {
        var problems = new SettingsProblems();
        if (To.Count == 0) problems.Add("to", "At least one recipient is required.");
        if (To.Count > MaxRecipients) problems.Add("to", $"At most {MaxRecipients} recipients.");
        foreach (var address in To.Take(MaxRecipients)) problems.Add("to", SmtpSettings.AddressProblem(address, "recipient", withName: true));
        if (Subject.Length > 900) problems.Add("subject", "The subject is at most 900 characters.");
        if (string.IsNullOrEmpty(TextBody) && string.IsNullOrEmpty(HtmlBody)) problems.Add("textBody", "A text or HTML body is required.");
        return problems.ToDictionary();
    }
}

/// <summary>What the server said when it took the mail, and the Message-Id it carries.</summary>
public sealed record MailSendResult(string MessageId, string ServerResponse, long ElapsedMs);
