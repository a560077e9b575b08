using System.Runtime.CompilerServices;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// Gives a client that connects with an empty client id one of its own, as MQTT allows
/// (3.1.1 §3.1.3.1 with a clean session; 5.0 with the Assigned Client Identifier). MQTTnet 5 does the
/// 5.0 part but refuses 3.1.1 clients such as mosquitto_pub, which send no id by default.
/// </summary>
internal static class ClientIdAssignment
{
    public static void AssignWhenEmpty(ValidatingConnectionEventArgs args)
    {
        if (!string.IsNullOrEmpty(args.ClientId))
        {
            return;
        }

        var assigned = $"auto-{Guid.NewGuid():N}";
        if (args.ProtocolVersion == MqttProtocolVersion.V500)
        {
            args.AssignedClientIdentifier = assigned;
        }
        else if (args.CleanSession == true)
        {
            // MQTTnet exposes no setter for 3.1.1; the packet is reached through its private field.
            ConnectPacket(args).ClientId = assigned;
        }
    }

    /// <summary>The CONNECT packet being validated (MQTTnet keeps it private; pinned MQTTnet version).</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_connectPacket")]
    internal static extern ref MqttConnectPacket ConnectPacket(ValidatingConnectionEventArgs args);
}
