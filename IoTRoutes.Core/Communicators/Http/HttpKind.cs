using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Communicators.Http;

/// <summary>HTTP/REST communicators: credentials under <c>authentication</c>, the client certificate beside them.</summary>
internal sealed class HttpKind(HttpCommunicator http) : ICommunicatorKind
{
    private static readonly string[] AuthenticationSecrets = ["password", "token", "apiKey", "clientSecret"];

    public CommunicatorKind Kind => CommunicatorKind.Http;

    public IReadOnlyList<string> SecretPaths { get; } =
        [.. AuthenticationSecrets.Select(s => $"authentication.{s}"), "clientCertificatePfxBase64", "clientCertificatePassword"];

    public (JsonObject? Settings, IReadOnlyDictionary<string, string[]> Problems) Check(JsonObject settings, IReadOnlyDictionary<string, string> secrets)
    {
        var (read, problem) = KindJson.Read<HttpSettings>(settings);
        if (read is null) return (null, new Dictionary<string, string[]> { ["settings"] = [problem!] });
        var problems = KindJson.Merge(read.Problems(), SecretsOf(secrets).Problems(read), key => AuthenticationSecrets.Contains(key) ? $"authentication.{key}" : key);
        return (problems.Count == 0 ? KindJson.Write(read) : null, problems);
    }

    public Task<ConnectionTestResult> TestAsync(CommunicatorConnection connection, string? to, CancellationToken ct) =>
        http.TestAsync(SettingsOf(connection), SecretsOf(connection.Secrets), ct);

    public static HttpSettings SettingsOf(CommunicatorConnection connection) => KindJson.Read<HttpSettings>(connection.Settings).Value
        ?? throw new CommunicatorException(ConnectionFailure.Other, $"The settings of {connection.Name} cannot be read: save them again.");

    public static HttpSecrets SecretsOf(IReadOnlyDictionary<string, string> secrets) => new()
    {
        Password = secrets.GetValueOrDefault("authentication.password"),
        Token = secrets.GetValueOrDefault("authentication.token"),
        ApiKey = secrets.GetValueOrDefault("authentication.apiKey"),
        ClientSecret = secrets.GetValueOrDefault("authentication.clientSecret"),
        ClientCertificatePfxBase64 = secrets.GetValueOrDefault("clientCertificatePfxBase64"),
        ClientCertificatePassword = secrets.GetValueOrDefault("clientCertificatePassword"),
    };
}
