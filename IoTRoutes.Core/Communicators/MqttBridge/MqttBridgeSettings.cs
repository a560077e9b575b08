using System.Text.Json.Serialization;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>Which MQTT version the bridge speaks to the external broker.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MqttBridgeProtocolVersion>))]
public enum MqttBridgeProtocolVersion
{
    V311,
    V500,
}

/// <summary>Which way a mapping carries messages.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MqttBridgeDirection>))]
public enum MqttBridgeDirection
{
    /// <summary>External broker to IoTRoutes: a message matching the filter becomes a device's uplink.</summary>
    Inbound,

    /// <summary>IoTRoutes to the external broker: a device topic matching the filter is published there.</summary>
    Outbound,
}

/// <summary>
/// The non-secret settings of a bridge to an external MQTT broker (the password is in <see cref="MqttBridgeSecrets"/>).
/// Read with <c>JsonSerializerDefaults.Web</c>; enums are strings.
/// </summary>
public sealed record MqttBridgeSettings
{
    public const int DefaultTimeoutSeconds = 30;

    public string Host { get; init; } = "";

    /// <summary>Null: 1883, or 8883 with <see cref="Tls"/>.</summary>
    public int? Port { get; init; }

    public bool Tls { get; init; }

    /// <summary>PEM of the certificate authority (or authorities) the broker's certificate must chain to, instead of the system's.</summary>
    public string? CaCertificatePem { get; init; }

    /// <summary>
    /// The SHA-256 fingerprint (hex, colons allowed) of the one server certificate accepted whoever signed it: for a broker
    /// with a self-signed certificate. With <see cref="CaCertificatePem"/> too, either one is enough.
    /// </summary>
    public string? AcceptCertificateSha256 { get; init; }

    public MqttBridgeProtocolVersion ProtocolVersion { get; init; } = MqttBridgeProtocolVersion.V500;

    /// <summary>Null: <c>iotroutes-</c> and the start of the communicator's id, the same at every start.</summary>
    public string? ClientId { get; init; }

    public string? Username { get; init; }

    /// <summary>0 sends no pings (a dead connection is then noticed only when writing to it).</summary>
    public int KeepAliveSeconds { get; init; } = 60;

    /// <summary>
    /// False (the default) keeps a session on the broker between connections (MQTT 5: for a day), so that QoS 1 and 2
    /// messages published while the bridge is away are delivered when it is back.
    /// </summary>
    public bool CleanStart { get; init; }

    /// <summary>How long a connection attempt or an acknowledged publish may take.</summary>
    public int TimeoutSeconds { get; init; } = DefaultTimeoutSeconds;

    public IReadOnlyList<MqttBridgeMapping> Mappings { get; init; } = [];

    [JsonIgnore]
    public int EffectivePort => Port ?? (Tls ? 8883 : 1883);

    /// <summary>The broker as it is named in messages: "broker.example.com:8883".</summary>
    [JsonIgnore]
    public string Target => $"{Host}:{EffectivePort}";

    [JsonIgnore]
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>Field name (camelCase; mappings as <c>mappings[0].filter</c>) to what is wrong with it; empty when valid.</summary>
    public IReadOnlyDictionary<string, string[]> Problems() => MqttBridgeSettingsRules.Check(this);
}

/// <summary>
/// One topic mapping. <see cref="Topic"/> is the target topic: literal text with <c>{1}</c>, <c>{2}</c>… for what the
/// filter's wildcards matched (a <c>#</c> stands for all the levels it matched) and, outbound, <c>{key}</c> for the device key.
/// </summary>
public sealed record MqttBridgeMapping
{
    public MqttBridgeDirection Direction { get; init; }

    /// <summary>Inbound: a topic filter on the external broker. Outbound: a filter on device topics (<c>devices/+/telemetry</c>).</summary>
    public string Filter { get; init; } = "";

    /// <summary>Inbound: a device topic, <c>devices/&lt;key&gt;/&lt;rest&gt;</c>. Outbound: a topic on the external broker.</summary>
    public string Topic { get; init; } = "";

    /// <summary>Inbound: the QoS of the subscription. Outbound: the QoS of the publish.</summary>
    public int Qos { get; init; } = 1;

    /// <summary>Outbound only: publish retained.</summary>
    public bool Retain { get; init; }
}
