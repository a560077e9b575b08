using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Communicators.MqttBridge;

public static class MqttBridgeServiceCollectionExtensions
{
    /// <summary>
    /// The MQTT bridge: the connector (tests), the intake of inbound messages and the host of running bridges. Registered
    /// after messaging, so that the host, stopping first, leaves nothing half-stored when the intake writer stops.
    /// </summary>
    public static IServiceCollection AddMqttBridgeCommunicator(this IServiceCollection services)
    {
        services.AddSingleton<MqttBridgeConnector>();
        services.AddSingleton<IMqttBridgeInbound, MqttBridgeIntake>();
        services.AddSingleton<MqttBridgeHost>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttBridgeHost>());
        services.AddSingleton<ICommunicatorKind, MqttBridgeKind>();
        services.AddSingleton<MqttBridgeSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttBridgeSupervisor>());
        return services;
    }
}
