using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>FTP/FTPS and SFTP communicators: the kind decides the protocol; a password, or a private key with its passphrase.</summary>
internal sealed class FileTransferKind(CommunicatorKind kind, IFileTransferClient client) : ICommunicatorKind
{
    public CommunicatorKind Kind => kind;

    public IReadOnlyList<string> SecretPaths { get; } = ["password", "privateKey", "privateKeyPassphrase"];

    private FileTransferProtocol Protocol => kind == CommunicatorKind.Sftp ? FileTransferProtocol.Sftp : FileTransferProtocol.Ftp;

    public (JsonObject? Settings, IReadOnlyDictionary<string, string[]> Problems) Check(JsonObject settings, IReadOnlyDictionary<string, string> secrets)
    {
        var (read, problem) = KindJson.Read<FileTransferSettings>(settings);
        if (read is null) return (null, new Dictionary<string, string[]> { ["settings"] = [problem!] });
        read = read with { Protocol = Protocol };
        var problems = KindJson.Merge(read.Problems(), SecretsOf(secrets).Problems(read));
        return (problems.Count == 0 ? KindJson.Write(read) : null, problems);
    }

    public async Task<ConnectionTestResult> TestAsync(CommunicatorConnection connection, string? to, CancellationToken ct)
    {
        var result = await client.TestAsync(SettingsOf(connection), SecretsOf(connection.Secrets), ct);
        var note = result.HostKeyFingerprint is { } key ? $"The server's host key is {key}; pin it as hostKeyFingerprint."
            : result.CertificateSha256 is { } certificate ? $"The server's certificate SHA-256 is {certificate}." : null;
        return result.Connection with { Note = note };
    }

    public static FileTransferSettings SettingsOf(CommunicatorConnection connection) =>
        (KindJson.Read<FileTransferSettings>(connection.Settings).Value
         ?? throw new CommunicatorException(ConnectionFailure.Other, $"The settings of {connection.Name} cannot be read: save them again."))
        with { Protocol = connection.Kind == CommunicatorKind.Sftp ? FileTransferProtocol.Sftp : FileTransferProtocol.Ftp };

    public static FileTransferSecrets SecretsOf(IReadOnlyDictionary<string, string> secrets) => new()
    {
        Password = secrets.GetValueOrDefault("password"),
        PrivateKey = secrets.GetValueOrDefault("privateKey"),
        PrivateKeyPassphrase = secrets.GetValueOrDefault("privateKeyPassphrase"),
    };
}
