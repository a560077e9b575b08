using IoTRoutes.Core.Messaging.Brokers;
using MQTTnet.AspNetCore;
using MQTTnet.Server;

namespace IoTRoutes.Web.Mqtt;

/// <summary>
/// MQTT over WebSocket at <c>/mqtt</c> on the web server, for the broker marked to serve it. Connections go
/// through that broker's rules exactly like TCP ones (authentication, topics, limits).
/// </summary>
public sealed class WebSocketTransport : IBrokerTransports
{
    public const string Path = "/mqtt";

    // One adapter for the life of the app: each (re)started server instance takes it over, and a stopped
    // server leaves it without a handler, so connections are closed at once.
    private readonly MqttWebSocketServerAdapter _adapter = new();
    private volatile bool _served;

    public IEnumerable<IMqttServerAdapter> For(BrokerDefinition broker)
    {
        if (!broker.WebSockets)
        {
            return [];
        }

        _served = true;
        return [_adapter];
    }

    public static void Map(WebApplication app)
    {
        app.UseWebSockets();
        app.Map(Path, async (HttpContext context, WebSocketTransport transport) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket required",
                    detail: "Connect with an MQTT WebSocket client (sub-protocol \"mqtt\").");
            }

            if (!transport._served)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No broker serves WebSockets",
                    detail: "Mark a broker to serve MQTT over WebSocket and enable it.");
            }

            var subProtocol = MqttSubProtocolSelector.SelectSubProtocol(context.Request);
            using var socket = await context.WebSockets.AcceptWebSocketAsync(subProtocol);
            await transport._adapter.RunWebSocketConnectionAsync(socket, context);
            return Results.Empty;
        }).ExcludeFromDescription();
    }
}
