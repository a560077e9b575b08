using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Communicators.Smtp;

/// <summary>Mail servers: one secret, the password.</summary>
internal sealed class SmtpKind(SmtpCommunicator smtp) : ICommunicatorKind
{
    public CommunicatorKind Kind => CommunicatorKind.Smtp;

    public IReadOnlyList<string> SecretPaths { get; } = ["password"];

    public (JsonObject? Settings, IReadOnlyDictionary<string, string[]> Problems) Check(JsonObject settings, IReadOnlyDictionary<string, string> secrets)
    {
        var (read, problem) = KindJson.Read<SmtpSettings>(settings);
        if (read is null) return (null, new Dictionary<string, string[]> { ["settings"] = [problem!] });
        var problems = KindJson.Merge(read.Problems(), SecretsOf(secrets).Problems(read));
        return (problems.Count == 0 ? KindJson.Write(read) : null, problems);
    }

    public Task<ConnectionTestResult> TestAsync(CommunicatorConnection connection, string? to, CancellationToken ct) =>
        smtp.TestAsync(SettingsOf(connection), SecretsOf(connection.Secrets), to, ct);

    public static SmtpSettings SettingsOf(CommunicatorConnection connection) => KindJson.Read<SmtpSettings>(connection.Settings).Value
        ?? throw new CommunicatorException(ConnectionFailure.Other, $"The settings of {connection.Name} cannot be read: save them again.");

    public static SmtpSecrets SecretsOf(IReadOnlyDictionary<string, string> secrets) => new() { Password = secrets.GetValueOrDefault("password") };
}
