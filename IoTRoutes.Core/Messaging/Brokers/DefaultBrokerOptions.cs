using System.ComponentModel.DataAnnotations;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>The broker every deployment starts with. Bound to <c>IoTRoutes:DefaultBroker</c>.</summary>
public sealed class DefaultBrokerOptions
{
    public const string Section = "IoTRoutes:DefaultBroker";

    public bool Enabled { get; set; } = true;

    [Required] public string Name { get; set; } = "default";

    /// <summary>Plain MQTT TCP port.</summary>
    [Range(1, 65535)] public int Port { get; set; } = 1883;

    /// <summary>Address to listen on; 0.0.0.0 accepts devices from the network, 127.0.0.1 only from this machine.</summary>
    [Required] public string BindAddress { get; set; } = "0.0.0.0";
}
