using System.Text;

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// The secret half of a file-transfer communicator, stored encrypted apart from its <see cref="FileTransferSettings"/>.
/// <see cref="ToString"/> shows which secrets are set, never their values.
/// </summary>
public sealed record FileTransferSecrets
{
    public string? Password { get; init; }

    /// <summary>SFTP only: a private key as text, PEM ("-----BEGIN RSA PRIVATE KEY-----"...) or OpenSSH ("-----BEGIN OPENSSH PRIVATE KEY-----").</summary>
    public string? PrivateKey { get; init; }

    public string? PrivateKeyPassphrase { get; init; }

    public IReadOnlyDictionary<string, string[]> Problems() => Problems(readKey: true);

    /// <summary>The secrets' problems for these settings: FTP logs in with a password only.</summary>
    public IReadOnlyDictionary<string, string[]> Problems(FileTransferSettings settings) => Problems(settings, readKey: true);

    /// <param name="readKey">Whether to read the private key (a key with a passphrase takes a moment to decrypt).</param>
    internal IReadOnlyDictionary<string, string[]> Problems(FileTransferSettings settings, bool readKey)
    {
        var problems = new Dictionary<string, string[]>(Problems(readKey));
        if (settings.Protocol == FileTransferProtocol.Ftp && string.IsNullOrEmpty(Password))
        {
            problems["password"] = ["FTP logs in with a password: the password is required (a private key is for SFTP)."];
        }

        return problems;
    }

    private Dictionary<string, string[]> Problems(bool readKey)
    {
        var problems = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(Password) && string.IsNullOrWhiteSpace(PrivateKey))
        {
            problems["password"] = ["A password or a private key is required."];
        }

        if (Password is not null && Password.Any(c => c is '\r' or '\n'))
        {
            problems["password"] = ["The password must not contain line breaks."];
        }

        if (readKey && !string.IsNullOrWhiteSpace(PrivateKey) && SftpKeys.Problem(this) is { } keyProblem)
        {
            problems["privateKey"] = [keyProblem];
        }

        return problems;
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Password = {Shown(Password)}, PrivateKey = {Shown(PrivateKey)}, PrivateKeyPassphrase = {Shown(PrivateKeyPassphrase)}");
        return true;
    }

    private static string Shown(string? secret) => string.IsNullOrEmpty(secret) ? "(none)" : "***";
}
