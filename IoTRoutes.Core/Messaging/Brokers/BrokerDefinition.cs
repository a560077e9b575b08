namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>One broker of the deployment, as administrators configure it. Stored; applied at once when changed.</summary>
public sealed class BrokerDefinition
{
    public Guid Id { get; set; }
    public required string Name { get; set; }

    /// <summary>The entity that owns the broker; only its users (and their ancestors') see and manage it.</summary>
    public Guid EntityId { get; set; }
    public Entities.Entity? Entity { get; set; }

    /// <summary>The administrator's intent: run this broker. Whether it actually runs is the runtime status.</summary>
    public bool Enabled { get; set; }

    public string BindAddress { get; set; } = "0.0.0.0";
    public int Port { get; set; }
    public int? TlsPort { get; set; }
    public MqttVersions Protocols { get; set; } = MqttVersions.All;
    public int MaxConnections { get; set; } = BrokerRules.DefaultMaxConnections;
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>Longest keep-alive a client may ask for, in seconds (a keep-alive of 0, "never", counts as longer); 0 means no limit.</summary>
    public int MaxKeepAliveSeconds { get; set; }

    /// <summary>
    /// The MQTT 5 Receive Maximum the broker announces in CONNACK: how many QoS 1 and QoS 2 publishes a client may have
    /// unacknowledged towards the broker at once. A 5.0 client exceeding it is disconnected with reason 0x93 (Receive
    /// Maximum exceeded); a 3.1.1 client is not read from until one is acknowledged. It also bounds what one connection
    /// can hold in memory. 1 to 65535; 100 by default.
    /// </summary>
    public int ReceiveMaximum { get; set; } = BrokerRules.DefaultReceiveMaximum;

    public bool PersistentSessions { get; set; } = true;

    /// <summary>Longest session expiry honoured, in seconds (MQTT 5 session expiry; 3.1.1 clean session false).</summary>
    public int SessionExpirySeconds { get; set; } = 24 * 3600;

    public int MaxQueuedMessages { get; set; } = 1000;

    /// <summary>Lets clients connect without credentials, as a plain MQTT broker. For test benches only.</summary>
    public bool AllowAnonymous { get; set; }

    public DeviceAuthentication Authentication { get; set; } = DeviceAuthentication.Secret;

    /// <summary>Topic filters nobody may subscribe to on this broker, one per line (e.g. <c>$SYS/#</c>).</summary>
    public string DeniedSubscriptions { get; set; } = "";

    /// <summary>Connection attempts allowed per remote address per minute; more are refused until the minute passes.</summary>
    public int MaxConnectAttemptsPerMinute { get; set; } = 600;

    /// <summary>
    /// How long a new connection may take to send its CONNECT, the TLS handshake included, before it is closed; in
    /// seconds, 1 to 300 (10 by default).
    /// </summary>
    public int ConnectTimeoutSeconds { get; set; } = BrokerRules.DefaultConnectTimeoutSeconds;

    /// <summary>Connections accepted and not yet past their CONNECT, at once, on the whole broker; more are closed at once.</summary>
    public int MaxPendingConnects { get; set; } = BrokerRules.DefaultMaxPendingConnects;

    /// <summary>Connections accepted and not yet past their CONNECT, at once, from one remote address.</summary>
    public int MaxPendingConnectsPerAddress { get; set; } = BrokerRules.DefaultMaxPendingConnectsPerAddress;

    /// <summary>Also serves MQTT over WebSocket on the web server at <c>/mqtt</c> (one broker at most), for browser-based devices.</summary>
    public bool WebSockets { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

[Flags]
public enum MqttVersions
{
    None = 0,
    V311 = 1,
    V500 = 2,
    All = V311 | V500,
}

/// <summary>How devices prove who they are on a broker.</summary>
public enum DeviceAuthentication
{
    /// <summary>Device key as user name and its secret as password.</summary>
    Secret,

    /// <summary>An X.509 client certificate on the TLS port, issued or registered for the device.</summary>
    Certificate,

    /// <summary>Either of the two.</summary>
    SecretOrCertificate,
}
