using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>
/// One running bridge: keeps a connection to the external broker (reconnecting by itself, 1 s doubling to 60 s),
/// subscribes to the inbound filters (what arrives goes through <see cref="InboundFlow"/>, acknowledged once stored),
/// and publishes outbound messages. <see cref="State"/> is what its page shows.
/// </summary>
public sealed class MqttBridgeConnection : IAsyncDisposable
{
    internal static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(60);

    /// <summary>How long a stop waits for the messages being stored, so that a restart does not store them twice.</summary>
    internal static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly MqttBridgeSecrets _secrets;
    private readonly MqttBridgeConnector _connector;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly MqttBridgeRoutes _routes;
    private readonly string? _invalid;
    private readonly IMqttClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly MqttBridgeCounters _counters;
    private readonly InboundFlow _inbound;
    private Task _run = Task.CompletedTask;
    private TaskCompletionSource<MqttClientDisconnectedEventArgs>? _drop;

    private MqttBridgeStatus _status = MqttBridgeStatus.Connecting;
    private CommunicatorException? _lastError;
    private DateTimeOffset? _nextAttemptAt;
    private DateTimeOffset? _connectedSince;

    internal MqttBridgeConnection(
        Guid id, MqttBridgeSettings settings, MqttBridgeSecrets secrets, string scopePath,
        MqttBridgeConnector connector, IMqttBridgeInbound inbound, TimeProvider clock, ILogger logger)
    {
        Id = id;
        Settings = settings;
        _secrets = secrets;
        _connector = connector;
        _clock = clock;
        _logger = logger;
        ClientId = settings.ClientId ?? MqttBridgeClientIds.For(id);

        var problems = new ProblemList();
        _routes = MqttBridgeRoutes.Compile(settings.Mappings, problems);
        try
        {
            MqttBridgeConnector.ThrowIfInvalid(settings, secrets);
        }
        catch (CommunicatorException e)
        {
            _invalid = e.Message;
            _lastError = e;
        }

        _counters = new MqttBridgeCounters(clock);
        _client = new MqttClientFactory().CreateMqttClient();
        _inbound = new InboundFlow(id, _routes, scopePath, inbound, _counters, () => MqttBridgeConnector.DisconnectQuietlyAsync(_client, Settings), logger);
        _client.ApplicationMessageReceivedAsync += _inbound.OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    public Guid Id { get; }

    public MqttBridgeSettings Settings { get; }

    /// <summary>The MQTT client id the bridge connects with.</summary>
    public string ClientId { get; }

    public MqttBridgeState State
    {
        get
        {
            var counts = _counters.Read();
            lock (_gate)
            {
                return new MqttBridgeState(_status, _lastError?.Message, _lastError?.Failure, _nextAttemptAt, _connectedSince,
                    counts.In, counts.Out, counts.Dropped, counts.LastDrop, counts.LastMessageAt);
            }
        }
    }

    /// <summary>Starts connecting in the background; settings that cannot be used leave it Stopped, saying why.</summary>
    internal void Start()
    {
        if (_invalid is not null)
        {
            MqttBridgeLog.NotStarted(_logger, Id, _invalid);
            SetStatus(MqttBridgeStatus.Stopped, next: null);
            return;
        }

        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>
    /// Stops reconnecting and disconnects, once the messages being stored are acknowledged (at most
    /// <see cref="StopGrace"/>): one still not stored then is not, and the broker delivers it again.
    /// </summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _inbound.Current.DrainAsync(StopGrace);
            await FlushAsync();
            await _stop.CancelAsync();
        }

        await _run;
        await MqttBridgeConnector.DisconnectQuietlyAsync(_client, Settings);
        lock (_gate)
        {
            _status = MqttBridgeStatus.Stopped;
            _nextAttemptAt = null;
            _connectedSince = null;
        }
    }

    /// <summary>
    /// MQTTnet's acknowledgements return once queued, and its disconnect does not wait for the queue: a ping's answer
    /// comes after the broker has read everything sent before it, so the last acknowledgements are not lost (the broker
    /// would send those messages again). Seen with mosquitto: PUBACKs queued just before a stop never arrived.
    /// </summary>
    private async Task FlushAsync()
    {
        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(StopGrace);
            await _client.PingAsync(timeout.Token);
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
        {
            // Gone or silent: what was not acknowledged comes again on the next connection.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _client.Dispose();
        _stop.Dispose();
    }

    public const string EffectKeyProperty = "iotroutes-effect-key";

    /// <summary>
    /// Publishes a device's message on the external broker under every outbound mapping whose filter matches
    /// <paramref name="localTopic"/>; returns the topics published to (none when no mapping matches). QoS 1 and 2
    /// return once the broker acknowledged.
    /// </summary>
    public async Task<IReadOnlyList<string>> PublishAsync(string deviceKey, string localTopic, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var published = new List<string>();
        foreach (var mapping in _routes.Outbound)
        {
            if (mapping.Map(localTopic, deviceKey) is not { } topic)
            {
                continue;
            }

            await PublishAsync(topic, payload, mapping.Source.Qos, mapping.Source.Retain, ct);
            published.Add(topic);
        }

        return published;
    }

    /// <summary>Publishes on the external broker as it is ("Forward to MQTT"); QoS 1 and 2 return once the broker acknowledged.</summary>
    /// <param name="effectKey">
    /// Over MQTT 5, sent as the user property <c>iotroutes-effect-key</c>: the same for a message a workflow sends again
    /// after a crash, so that a receiver can drop the repeat (MQTT 3.1.1 has no properties to carry it).
    /// </param>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, int qos, bool retain, CancellationToken ct, string? effectKey = null)
    {
        if (MqttTopicNames.Problem(topic) is { } problem)
        {
            throw new CommunicatorException(ConnectionFailure.Protocol, problem);
        }

        if (qos is < 0 or > 2)
        {
            throw new CommunicatorException(ConnectionFailure.Protocol, "QoS is 0, 1 or 2.");
        }

        if (!_client.IsConnected)
        {
            throw MqttBridgeFailures.NotConnected(Settings, State.LastError);
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayloadSegment(payload)
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)qos)
            .WithRetainFlag(retain);
        if (effectKey is not null && Settings.ProtocolVersion == MqttBridgeProtocolVersion.V500)
        {
            message.WithUserProperty(EffectKeyProperty, System.Text.Encoding.UTF8.GetBytes(effectKey).AsMemory());
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Settings.Timeout);
        MqttClientPublishResult result;
        try
        {
            result = await _client.PublishAsync(message.Build(), timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CommunicatorException(ConnectionFailure.Timeout, $"{Settings.Target} did not acknowledge the message on '{topic}' in time.");
        }
        catch (Exception e) when (e is MqttCommunicationException or ObjectDisposedException && !ct.IsCancellationRequested)
        {
            throw new CommunicatorException(ConnectionFailure.Unavailable,
                $"The connection to {Settings.Target} dropped before the message on '{topic}' was acknowledged.", e);
        }

        if (!result.IsSuccess)
        {
            throw MqttBridgeFailures.PublishRefused(Settings, topic, result);
        }

        _counters.Sent();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var session = _inbound.Begin();
            try
            {
                await _connector.ConnectAsync(_client, Settings, _secrets, ClientId, persistentSession: true, stop);
                await SubscribeAsync(stop);
                failures = 0;
                var drop = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _drop, drop);
                lock (_gate)
                {
                    _status = MqttBridgeStatus.Connected;
                    _lastError = null;
                    _nextAttemptAt = null;
                    _connectedSince = _clock.GetUtcNow();
                }

                MqttBridgeLog.Connected(_logger, Id, Settings.Target, ClientId, _routes.Inbound.Count);
                var dropped = _client.IsConnected ? await drop.Task.WaitAsync(stop) : null;
                var error = DropError(dropped);
                MqttBridgeLog.Dropped(_logger, Id, Settings.Target, error.Message);
                lock (_gate)
                {
                    _lastError = error;
                    _connectedSince = null;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var error = e as CommunicatorException ?? new CommunicatorException(ConnectionFailure.Other, $"{Settings.Target}: {e.Message}", e);
                await MqttBridgeConnector.DisconnectQuietlyAsync(_client, Settings); // connected, but a subscription was refused
                lock (_gate)
                {
                    _lastError = error;
                }

                failures++;
            }
            finally
            {
                session.End(); // before any new connection: its pending acknowledgements must not go out on that one
            }

            var delay = Delay(failures);
            MqttBridgeLog.AttemptFailed(_logger, Id, State.LastError ?? "", delay.TotalSeconds);
            SetStatus(MqttBridgeStatus.Reconnecting, _clock.GetUtcNow() + delay);
            try
            {
                await Task.Delay(delay, _clock, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>1 s after a drop or a first failure, then doubling up to 60 s.</summary>
    internal static TimeSpan Delay(int failures)
    {
        var seconds = FirstRetry.TotalSeconds * Math.Pow(2, Math.Max(0, failures - 1));
        return TimeSpan.FromSeconds(Math.Min(seconds, LastRetry.TotalSeconds));
    }

    private async Task SubscribeAsync(CancellationToken stop)
    {
        if (_routes.Inbound.Count == 0)
        {
            return;
        }

        var v5 = Settings.ProtocolVersion == MqttBridgeProtocolVersion.V500;
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var mapping in _routes.Inbound)
        {
            subscribe.WithTopicFilter(f =>
            {
                f.WithTopic(mapping.Filter).WithQualityOfServiceLevel((MqttQualityOfServiceLevel)mapping.Source.Qos);
                if (v5)
                {
                    // Not our own outbound messages back (no loops), and no retained messages: they are not uplinks happening now.
                    f.WithNoLocal().WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe);
                }
            });
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(Settings.Timeout);
        MqttClientSubscribeResult result;
        try
        {
            result = await _client.SubscribeAsync(subscribe.Build(), timeout.Token);
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException && !stop.IsCancellationRequested)
        {
            throw ConnectionFailures.Classify(e, Settings.Target, timedOut: timeout.IsCancellationRequested);
        }

        foreach (var item in result.Items)
        {
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
            {
                throw MqttBridgeFailures.SubscriptionRefused(Settings, item.TopicFilter.Topic, item.ResultCode);
            }
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        // A late event of an earlier connection must not end the current one.
        if (!_client.IsConnected)
        {
            Volatile.Read(ref _drop)?.TrySetResult(e);
        }

        return Task.CompletedTask;
    }

    private CommunicatorException DropError(MqttClientDisconnectedEventArgs? e)
    {
        if (e?.Exception is { } exception)
        {
            var failure = ConnectionFailures.Classify(exception, Settings.Target);
            return failure.Failure == ConnectionFailure.Other
                ? new CommunicatorException(ConnectionFailure.Unavailable, $"{Settings.Target} closed the connection.", exception)
                : failure;
        }

        var reason = e is null || e.Reason == MqttClientDisconnectReason.NormalDisconnection ? "" : $" ({e.Reason}{(string.IsNullOrWhiteSpace(e.ReasonString) ? "" : $": {e.ReasonString}")})";
        return new CommunicatorException(ConnectionFailure.Unavailable, $"{Settings.Target} closed the connection{reason}.");
    }

    private void SetStatus(MqttBridgeStatus status, DateTimeOffset? next)
    {
        lock (_gate)
        {
            _status = status;
            _nextAttemptAt = next;
        }
    }
}
