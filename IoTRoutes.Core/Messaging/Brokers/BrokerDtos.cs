namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// Create or update a broker. On create, omitted fields take their defaults; on update, omitted fields keep
/// their current value. <c>Protocols</c> holds "3.1.1" and/or "5.0".
/// </summary>
public sealed record BrokerRequest(
    string? Name = null,
    int? Port = null,
    int? TlsPort = null,
    bool? AllowAnonymous = null,
    bool? PersistentSessions = null,
    Guid? EntityId = null,
    string? BindAddress = null,
    string[]? Protocols = null,
    int? MaxConnections = null,
    int? MaxPayloadBytes = null,
    int? MaxKeepAliveSeconds = null,
    int? SessionExpirySeconds = null,
    int? MaxQueuedMessages = null,
    DeviceAuthentication? Authentication = null,
    string[]? DeniedSubscriptions = null,
    int? MaxConnectAttemptsPerMinute = null,
    bool RemoveTlsPort = false,
    bool? WebSockets = null,
    int? ReceiveMaximum = null,
    int? ConnectTimeoutSeconds = null,
    int? MaxPendingConnects = null,
    int? MaxPendingConnectsPerAddress = null);

public sealed record BrokerDto(
    Guid Id,
    string Name,
    Guid EntityId,
    bool Enabled,
    string BindAddress,
    int Port,
    int? TlsPort,
    string[] Protocols,
    int MaxConnections,
    int MaxPayloadBytes,
    int MaxKeepAliveSeconds,
    int ReceiveMaximum,
    bool PersistentSessions,
    int SessionExpirySeconds,
    int MaxQueuedMessages,
    bool AllowAnonymous,
    DeviceAuthentication Authentication,
    string[] DeniedSubscriptions,
    int MaxConnectAttemptsPerMinute,
    int ConnectTimeoutSeconds,
    int MaxPendingConnects,
    int MaxPendingConnectsPerAddress,
    bool WebSockets,
    DateTimeOffset CreatedAt,
    BrokerStatusDto Status);

public enum BrokerState
{
    Stopped,
    Running,
    Failed,
}

/// <summary>What the broker is doing now: running or not since when, the last error, its load.</summary>
public sealed record BrokerStatusDto(
    BrokerState State,
    DateTimeOffset? Since,
    string? LastError,
    int ConnectedClients,
    double MessagesInPerSecond,
    double MessagesOutPerSecond,
    int AwaitingConnect = 0,
    long RefusedAwaitingConnect = 0);

public sealed record BrokerClientDto(
    string ClientId,
    Guid? DeviceId,
    string? DeviceKey,
    string? RemoteAddress,
    string Protocol,
    bool Secure,
    DateTimeOffset ConnectedAt,
    string? DeviceName = null);
