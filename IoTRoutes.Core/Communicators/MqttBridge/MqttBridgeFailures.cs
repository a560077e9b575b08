using MQTTnet;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>The broker's own refusals (CONNACK, SUBACK, PUBACK reason codes) as <see cref="CommunicatorException"/>s.</summary>
internal static class MqttBridgeFailures
{
    public static CommunicatorException Refused(MqttClientConnectResult result, MqttBridgeSettings settings, string clientId)
    {
        var target = settings.Target;
        var code = result.ResultCode;
        var reason = string.IsNullOrWhiteSpace(result.ReasonString) ? "" : $": {result.ReasonString}";
        return code switch
        {
            MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized
                or MqttClientConnectResultCode.BadAuthenticationMethod or MqttClientConnectResultCode.Banned =>
                new(ConnectionFailure.Credentials, $"{target} refused the user name or password (CONNACK {code}{reason})."),
            MqttClientConnectResultCode.ServerUnavailable or MqttClientConnectResultCode.ServerBusy
                or MqttClientConnectResultCode.QuotaExceeded or MqttClientConnectResultCode.ConnectionRateExceeded =>
                new(ConnectionFailure.Unavailable, $"{target} cannot take the connection now (CONNACK {code}{reason})."),
            MqttClientConnectResultCode.UnsupportedProtocolVersion =>
                new(ConnectionFailure.Protocol, $"{target} does not speak MQTT {(settings.ProtocolVersion == MqttBridgeProtocolVersion.V500 ? "5" : "3.1.1")}: choose the other protocol version."),
            MqttClientConnectResultCode.ClientIdentifierNotValid =>
                new(ConnectionFailure.Protocol, $"{target} refused the client id '{clientId}'{reason}."),
            MqttClientConnectResultCode.UseAnotherServer or MqttClientConnectResultCode.ServerMoved =>
                new(ConnectionFailure.Protocol, $"{target} sends its clients to another server{(result.ServerReference is { Length: > 0 } s ? $" ({s})" : "")}."),
            _ => new(ConnectionFailure.Protocol, $"{target} refused the connection (CONNACK {code}{reason})."),
        };
    }

    public static CommunicatorException SubscriptionRefused(MqttBridgeSettings settings, string filter, MqttClientSubscribeResultCode code) =>
        new(code == MqttClientSubscribeResultCode.NotAuthorized ? ConnectionFailure.Credentials : ConnectionFailure.Protocol,
            $"{settings.Target} refused the subscription to '{filter}' ({code}).");

    public static CommunicatorException PublishRefused(MqttBridgeSettings settings, string topic, MqttClientPublishResult result) =>
        new(result.ReasonCode == MqttClientPublishReasonCode.NotAuthorized ? ConnectionFailure.Credentials : ConnectionFailure.Protocol,
            $"{settings.Target} refused the message on '{topic}' ({result.ReasonCode}{(string.IsNullOrWhiteSpace(result.ReasonString) ? "" : $": {result.ReasonString}")}).");

    public static CommunicatorException NotConnected(MqttBridgeSettings settings, string? lastError) =>
        new(ConnectionFailure.Unavailable, $"The bridge to {settings.Target} is not connected{(lastError is null ? "" : $" ({lastError.TrimEnd('.')})")}.");
}
