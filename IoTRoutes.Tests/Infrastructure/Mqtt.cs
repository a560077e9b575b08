using MQTTnet;
using MQTTnet.Formatter;

namespace IoTRoutes.Tests.Infrastructure;

/// <summary>Real MQTTnet clients against a test app's broker.</summary>
public static class Mqtt
{
    /// <summary>A connected client; throws when the broker refuses the connection.</summary>
    public static async Task<IMqttClient> ConnectAsync(int port, string user, string password, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var (client, result) = await TryConnectAsync(port, user, password, version);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"The broker refused the connection: {result.ResultCode}");
        }

        return client;
    }

    /// <summary>Connects and returns the CONNACK result, whatever it is.</summary>
    public static async Task<(IMqttClient Client, MqttClientConnectResult Result)> TryConnectAsync(
        int port, string user, string password, MqttProtocolVersion version = MqttProtocolVersion.V500, string? clientId = null, bool cleanSession = true,
        uint sessionExpirySeconds = 3600)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithCredentials(user, password)
            .WithClientId(clientId ?? $"test-{Guid.NewGuid():N}")
            .WithCleanSession(cleanSession)
            .WithSessionExpiryInterval(cleanSession ? 0u : sessionExpirySeconds)
            .WithProtocolVersion(version)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        var result = await client.ConnectAsync(options);
        return (client, result);
    }

    public static MqttApplicationMessage Message(string topic, string payload, MQTTnet.Protocol.MqttQualityOfServiceLevel qos = MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).Build();
}
