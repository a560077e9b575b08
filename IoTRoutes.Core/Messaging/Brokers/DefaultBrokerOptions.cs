using System.ComponentModel.DataAnnotations;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// The broker created at first start, when the database has none. Bound to <c>IoTRoutes:DefaultBroker</c>.
/// Afterwards brokers are managed on the Brokers page and the API; these settings no longer change them.
/// </summary>
public sealed class DefaultBrokerOptions
{
    public const string Section = "IoTRoutes:DefaultBroker";

    /// <summary>Whether the created broker starts enabled.</summary>
    public bool Enabled { get; set; } = true;

    [Required] public string Name { get; set; } = "default";

    /// <summary>Plain MQTT TCP port.</summary>
    [Range(1, 65535)] public int Port { get; set; } = 1883;

    /// <summary>MQTT over TLS port (server certificate from IoTRoutes:Tls, or generated); 0 for none.</summary>
    [Range(0, 65535)] public int TlsPort { get; set; } = 8883;

    /// <summary>Connection attempts allowed per remote address per minute (a flood guard; devices behind one NAT share it).</summary>
    [Range(1, 1_000_000)] public int MaxConnectAttemptsPerMinute { get; set; } = 600;

    /// <summary>Connections awaiting their CONNECT at once from one address (a guard against half-open floods).</summary>
    [Range(1, 1_000_000)] public int MaxPendingConnectsPerAddress { get; set; } = BrokerRules.DefaultMaxPendingConnectsPerAddress;

    /// <summary>Address to listen on; 0.0.0.0 accepts devices from the network, 127.0.0.1 only from this machine.</summary>
    [Required] public string BindAddress { get; set; } = "0.0.0.0";
}
