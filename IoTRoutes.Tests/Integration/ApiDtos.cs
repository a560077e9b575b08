namespace IoTRoutes.Tests.Integration;

// What a client of the REST API sees; kept separate from Core's records on purpose, so a rename in Core breaks a test.
public sealed record CreatedDeviceBody(Guid Id, string Name, string Key, string Secret);

public sealed record DeviceBody(Guid Id, string Name, string Key, Guid EntityId, DateTimeOffset CreatedAt, DateTimeOffset? LastSeenAt, bool IsConnected);

public sealed record MessageBody(
    Guid Id, Guid DeviceId, string DeviceKey, string DeviceName, string Topic, string Payload, int PayloadSize,
    int QualityOfService, DateTimeOffset ReceivedAt, string State, string? RejectionReason, DateTimeOffset? ProcessedAt);

public sealed record StatsBody(long Received, long Processed, long Rejected);

public sealed record ProblemBody(string? Type, string? Title, int? Status, string? Detail, Dictionary<string, string[]>? Errors);

public sealed record BrokerStatusBody(string State, DateTimeOffset? Since, string? LastError, int ConnectedClients, double MessagesInPerSecond, double MessagesOutPerSecond);

public sealed record BrokerBody(
    Guid Id, string Name, bool Enabled, int Port, int? TlsPort, string[] Protocols, bool AllowAnonymous, bool PersistentSessions,
    string Authentication, string[] DeniedSubscriptions, int MaxPayloadBytes, int ReceiveMaximum, BrokerStatusBody Status);

public sealed record BrokerClientBody(string ClientId, Guid? DeviceId, string? DeviceKey, string? RemoteAddress, string Protocol, bool Secure, DateTimeOffset ConnectedAt, string? DeviceName = null);

public sealed record IdBody(Guid Id);

public sealed record CommandBody(
    Guid Id, Guid DeviceId, string Name, string? Payload, string Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? SentAt, DateTimeOffset? DeliveredAt, DateTimeOffset? RepliedAt, string? Reply, string? CreatedBy, string Topic, Guid? WorkflowId = null);

public sealed record ConnectionEventBody(DateTimeOffset At, bool Connected, Guid BrokerId, string? ClientId, string? RemoteAddress, string? Protocol, string? Reason);

public sealed record IssuedCertificateBody(Guid Id, string Thumbprint, DateTimeOffset NotAfter, string CertificatePem, string PrivateKeyPem, string CaCertificatePem);

public sealed record CertificateBody(Guid Id, string Thumbprint, string Subject, DateTimeOffset NotBefore, DateTimeOffset NotAfter, bool Issued, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

public static class DeviceApi
{
    /// <summary>Creates a device through the API and returns it with its one-time secret.</summary>
    public static async Task<CreatedDeviceBody> CreateDeviceAsync(this HttpClient api, string name, Guid? entityId = null)
    {
        var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(api, "/api/v1/devices", new { name, entityId });
        response.EnsureSuccessStatusCode();
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<CreatedDeviceBody>(response.Content))!;
    }

    /// <summary>Creates a device with <paramref name="body"/> as the request; fails the test with the answer unless it is 201.</summary>
    public static async Task<CreatedDeviceBody> CreateDeviceAsync(this HttpClient api, object body)
    {
        var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(api, "/api/v1/devices", body);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<CreatedDeviceBody>(response.Content))!;
    }

    /// <summary>POSTs <paramref name="body"/> to <paramref name="path"/> and returns the created id; fails the test with the answer unless it is 201.</summary>
    public static async Task<Guid> PostIdAsync(this HttpClient api, string path, object body)
    {
        var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(api, path, body);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<IdBody>(response.Content))!.Id;
    }
}
