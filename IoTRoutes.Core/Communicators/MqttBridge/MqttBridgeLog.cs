using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>What bridges log. Messages name the bridge and the broker, never a password.</summary>
internal static partial class MqttBridgeLog
{
    [LoggerMessage(7301, LogLevel.Information, "MQTT bridge {BridgeId} connected to {Target} as {ClientId}, subscribed to {Filters} filter(s)")]
    public static partial void Connected(ILogger logger, Guid bridgeId, string target, string clientId, int filters);

    [LoggerMessage(7302, LogLevel.Warning, "MQTT bridge {BridgeId}: {Error} Next attempt in {DelaySeconds} s")]
    public static partial void AttemptFailed(ILogger logger, Guid bridgeId, string error, double delaySeconds);

    [LoggerMessage(7303, LogLevel.Warning, "MQTT bridge {BridgeId}: the connection to {Target} dropped: {Error}")]
    public static partial void Dropped(ILogger logger, Guid bridgeId, string target, string error);

    [LoggerMessage(7304, LogLevel.Warning, "MQTT bridge {BridgeId}: message on {Topic} dropped: {Reason}")]
    public static partial void MessageDropped(ILogger logger, Guid bridgeId, string topic, string reason);

    [LoggerMessage(7305, LogLevel.Error, "MQTT bridge {BridgeId}: message on {Topic} could not be stored; reconnecting for the broker to deliver it again")]
    public static partial void DeliveryFailed(ILogger logger, Guid bridgeId, string topic, Exception error);

    [LoggerMessage(7306, LogLevel.Information, "MQTT bridge {BridgeId} to {Target} stopped")]
    public static partial void Stopped(ILogger logger, Guid bridgeId, string target);

    [LoggerMessage(7307, LogLevel.Warning, "MQTT bridge {BridgeId} not started: {Error}")]
    public static partial void NotStarted(ILogger logger, Guid bridgeId, string error);
}
