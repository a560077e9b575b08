namespace IoTRoutes.Core.Communicators.Smtp;

/// <summary>The SMTP password, stored encrypted apart from <see cref="SmtpSettings"/>; <see cref="ToString"/> hides it.</summary>
public sealed record SmtpSecrets
{
    public string? Password { get; init; }

    public IReadOnlyDictionary<string, string[]> Problems(SmtpSettings? settings = null)
    {
        var problems = new SettingsProblems();
        if (Password?.Any(char.IsControl) == true) problems.Add("password", "The password contains a line break or another control character.");
        if (!string.IsNullOrEmpty(settings?.Username) && string.IsNullOrEmpty(Password)) problems.Add("password", "A user name needs its password.");
        return problems.ToDictionary();
    }

    public override string ToString() => "SmtpSecrets { values hidden }";

    /// <summary>The text with the password replaced: for messages quoting the server.</summary>
    internal string Mask(string text) => string.IsNullOrEmpty(Password) ? text : text.Replace(Password, "•••", StringComparison.Ordinal);
}
