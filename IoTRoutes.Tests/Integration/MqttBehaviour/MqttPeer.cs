using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTRoutes.Tests.Integration.MqttBehaviour;

/// <summary>An MQTTnet client that keeps what it receives and how its connection ended.</summary>
public sealed class MqttPeer : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Channel<MqttApplicationMessage> _received = Channel.CreateUnbounded<MqttApplicationMessage>();
    private readonly TaskCompletionSource<MqttClientDisconnectedEventArgs> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MqttPeer(IMqttClient client)
    {
        Client = client;
        client.ApplicationMessageReceivedAsync += args =>
        {
            args.AutoAcknowledge = AcknowledgesMessages;
            _received.Writer.TryWrite(args.ApplicationMessage);
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += args =>
        {
            _disconnected.TrySetResult(args);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client { get; }

    public MqttClientConnectResult ConnectResult { get; private set; } = null!;

    /// <summary>False to leave QoS 1 and 2 messages unacknowledged, as a client crashing before it could process them.</summary>
    public bool AcknowledgesMessages { get; set; } = true;

    /// <summary>Completes when the connection ends, with why.</summary>
    public Task<MqttClientDisconnectedEventArgs> Disconnected => _disconnected.Task;

    /// <summary>
    /// Connects anonymously (a random client id and a clean session unless <paramref name="configure"/> says otherwise)
    /// and returns the peer whatever the CONNACK said.
    /// </summary>
    public static async Task<MqttPeer> TryConnectAsync(int port, MqttProtocolVersion version = MqttProtocolVersion.V500, Action<MqttClientOptionsBuilder>? configure = null)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId($"peer-{Guid.NewGuid():N}")
            .WithProtocolVersion(version)
            .WithTimeout(Patience);
        configure?.Invoke(builder);
        var peer = new MqttPeer(new MqttClientFactory().CreateMqttClient());
        peer.ConnectResult = await peer.Client.ConnectAsync(builder.Build());
        return peer;
    }

    /// <summary>Connects and fails the test when the broker refuses.</summary>
    public static async Task<MqttPeer> ConnectAsync(int port, MqttProtocolVersion version = MqttProtocolVersion.V500, Action<MqttClientOptionsBuilder>? configure = null)
    {
        var peer = await TryConnectAsync(port, version, configure);
        Assert.Equal(MqttClientConnectResultCode.Success, peer.ConnectResult.ResultCode);
        return peer;
    }

    public async Task<MqttClientSubscribeResultCode> SubscribeAsync(string filter, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        var result = await Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, qos).Build());
        return Assert.Single(result.Items).ResultCode;
    }

    /// <summary>Subscribes and fails the test unless the broker grants the subscription.</summary>
    public async Task SubscribeGrantedAsync(string filter, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        var code = await SubscribeAsync(filter, qos);
        Assert.True(code <= MqttClientSubscribeResultCode.GrantedQoS2, $"subscribing to {filter} was refused: {code}");
    }

    public Task<MqttClientPublishResult> PublishAsync(
        string topic, string payload, bool retain = false, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain).WithQualityOfServiceLevel(qos).Build());

    /// <summary>The next message received, failing the test after <see cref="Patience"/>.</summary>
    public async Task<MqttApplicationMessage> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Client.Options?.ClientId} received no message within {Patience.TotalSeconds} s.");
        }
    }

    /// <summary>
    /// Everything received before the message on <paramref name="markerTopic"/>, which arrives after anything
    /// published to this peer earlier: "was X delivered?" answered without waiting a fixed time.
    /// </summary>
    public async Task<List<MqttApplicationMessage>> ReceivedBeforeAsync(string markerTopic)
    {
        var before = new List<MqttApplicationMessage>();
        while ((await NextAsync()) is var message && message.Topic != markerTopic)
        {
            before.Add(message);
        }

        return before;
    }

    /// <summary>Ends the connection without a DISCONNECT packet, as a device losing power or network does.</summary>
    public void Drop() => Client.Dispose();

    public async ValueTask DisposeAsync()
    {
        if (Client.IsConnected)
        {
            try
            {
                await Client.DisconnectAsync();
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or ObjectDisposedException)
            {
            }
        }

        Client.Dispose();
    }
}
