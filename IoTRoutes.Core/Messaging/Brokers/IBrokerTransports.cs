using MQTTnet.Server;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// Ways into a broker besides its own TCP and TLS ports, such as MQTT over WebSocket on the web server. A broker asks
/// at every start; the transport hands its connections to whichever server instance is running.
/// </summary>
public interface IBrokerTransports
{
    IEnumerable<IMqttServerAdapter> For(BrokerDefinition broker);
}

/// <summary>Only the brokers' own ports (the Core default, without a web server).</summary>
public sealed class NoExtraTransports : IBrokerTransports
{
    public IEnumerable<IMqttServerAdapter> For(BrokerDefinition broker) => [];
}
