using System.Collections;
using IoTRoutes.Core.Devices;
using MQTTnet.Formatter;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>What a broker keeps in MQTTnet's session items, and how it reads them.</summary>
internal static class BrokerSessionItems
{
    public static readonly SessionItemKey DeviceItem = new("iotroutes.device");
    public static readonly SessionItemKey ExpiryItem = new("iotroutes.session-expiry");
    public static readonly SessionItemKey SecureItem = new("iotroutes.secure");
    public static readonly SessionItemKey ProtocolItem = new("iotroutes.protocol");
    public static readonly SessionItemKey OwnerItem = new("iotroutes.owner");
    public static readonly SessionItemKey SubscribingItem = new("iotroutes.subscribing");
    public static readonly SessionItemKey ClosingItem = new("iotroutes.closing");

    /// <summary>When the device last subscribed to a filter covering its commands on this connection.</summary>
    public static readonly SessionItemKey CommandsSubscribedItem = new("iotroutes.commands-subscribed");

    /// <summary>The client id of the platform's own publishes (commands); no client may use it.</summary>
    public const string PlatformClientId = "iotroutes";

    public static bool IsV5(IDictionary items) => items[ProtocolItem] is MqttProtocolVersion.V500;

    public static bool IsDevice(IDictionary items, string deviceKey) => items[DeviceItem] is AuthenticatedDevice d && d.Key == deviceKey;

    public static string ProtocolName(MqttProtocolVersion version) => version switch
    {
        MqttProtocolVersion.V500 => "5.0",
        MqttProtocolVersion.V311 => "3.1.1",
        MqttProtocolVersion.V310 => "3.1",
        _ => version.ToString(),
    };
}
