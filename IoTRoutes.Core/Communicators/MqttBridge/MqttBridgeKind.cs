using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>MQTT bridges: one secret, the password; the mappings are settings.</summary>
internal sealed class MqttBridgeKind(MqttBridgeConnector connector) : ICommunicatorKind
{
    public CommunicatorKind Kind => CommunicatorKind.MqttBridge;

    public IReadOnlyList<string> SecretPaths { get; } = ["password"];

    public (JsonObject? Settings, IReadOnlyDictionary<string, string[]> Problems) Check(JsonObject settings, IReadOnlyDictionary<string, string> secrets)
    {
        var (read, problem) = KindJson.Read<MqttBridgeSettings>(settings);
        if (read is null) return (null, new Dictionary<string, string[]> { ["settings"] = [problem!] });
        var problems = KindJson.Merge(read.Problems(), SecretsOf(secrets).Problems());
        if (!string.IsNullOrEmpty(SecretsOf(secrets).Password) && string.IsNullOrEmpty(read.Username))
            problems = KindJson.Merge(problems, new Dictionary<string, string[]> { ["username"] = ["A password needs a user name (MQTT sends none alone)."] });
        return (problems.Count == 0 ? KindJson.Write(read) : null, problems);
    }

    public Task<ConnectionTestResult> TestAsync(CommunicatorConnection connection, string? to, CancellationToken ct) =>
        connector.TestAsync(SettingsOf(connection), SecretsOf(connection.Secrets), ct);

    public static MqttBridgeSettings SettingsOf(CommunicatorConnection connection) => KindJson.Read<MqttBridgeSettings>(connection.Settings).Value
        ?? throw new CommunicatorException(ConnectionFailure.Other, $"The settings of {connection.Name} cannot be read: save them again.");

    public static MqttBridgeSecrets SecretsOf(IReadOnlyDictionary<string, string> secrets) => new() { Password = secrets.GetValueOrDefault("password") };
}
