namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>Client ids within MQTT 3.1.1's 23 characters that every broker must accept.</summary>
public static class MqttBridgeClientIds
{
    /// <summary>The default id of a bridge: the same at every start, so the broker keeps its session.</summary>
    public static string For(Guid communicatorId) => $"iotroutes-{communicatorId:N}"[..22];

    /// <summary>A fresh id for a connection test, so that a test never takes over a running bridge's session.</summary>
    public static string ForTest() => $"iotroutes-test-{Guid.NewGuid():N}"[..23];
}
