using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>
/// Opens an MQTT connection to an external broker from a bridge's settings and secrets, and says in one sentence what
/// failed when it cannot: the connection test, and each attempt of a running <see cref="MqttBridgeConnection"/>.
/// </summary>
public sealed class MqttBridgeConnector(TimeProvider clock)
{
    /// <summary>How long an MQTT 5 broker keeps the session of a bridge without <see cref="MqttBridgeSettings.CleanStart"/>.</summary>
    public const uint PersistentSessionSeconds = 24 * 60 * 60;

    /// <summary>Connects, waits for the CONNACK and disconnects. Never throws, but for the caller's cancellation.</summary>
    public async Task<ConnectionTestResult> TestAsync(MqttBridgeSettings settings, MqttBridgeSecrets secrets, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            ThrowIfInvalid(settings, secrets);
            await ConnectAsync(client, settings, secrets, MqttBridgeClientIds.ForTest(), persistentSession: false, ct);
            await DisconnectQuietlyAsync(client, settings);
            return ConnectionTestResult.Success((long)clock.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (CommunicatorException e)
        {
            return ConnectionTestResult.Failed(e, (long)clock.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>Connects <paramref name="client"/>; throws <see cref="CommunicatorException"/> for every failure.</summary>
    internal async Task ConnectAsync(IMqttClient client, MqttBridgeSettings settings, MqttBridgeSecrets secrets, string clientId, bool persistentSession, CancellationToken ct)
    {
        var certificates = new ServerCertificateCheck(settings);
        var options = Options(settings, secrets, clientId, persistentSession, certificates);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.Timeout);
        MqttClientConnectResult result;
        try
        {
            result = await client.ConnectAsync(options, timeout.Token);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            throw Classify(e, settings, certificates, timedOut: timeout.IsCancellationRequested);
        }

        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw MqttBridgeFailures.Refused(result, settings, clientId);
        }
    }

    internal static async Task DisconnectQuietlyAsync(IMqttClient client, MqttBridgeSettings settings)
    {
        if (!client.IsConnected)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(settings.Timeout);
            await client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
        {
            // Gone already: there is nothing left to close.
        }
    }

    internal static void ThrowIfInvalid(MqttBridgeSettings settings, MqttBridgeSecrets secrets)
    {
        var problems = settings.Problems().Concat(secrets.Problems()).ToList();
        if (problems.Count > 0)
        {
            var (field, texts) = problems[0];
            throw new CommunicatorException(ConnectionFailure.Other, $"The bridge's settings are not valid: {field}: {texts[0]}");
        }

        // MQTT 3.1.1 forbids a password without a user name, and MQTTnet keeps to that rule under MQTT 5 too.
        if (!string.IsNullOrEmpty(secrets.Password) && string.IsNullOrEmpty(settings.Username))
        {
            throw new CommunicatorException(ConnectionFailure.Credentials, "A password is sent only with a user name: set the user name.");
        }
    }

    private static MqttClientOptions Options(MqttBridgeSettings s, MqttBridgeSecrets secrets, string clientId, bool persistentSession, ServerCertificateCheck certificates)
    {
        var v5 = s.ProtocolVersion == MqttBridgeProtocolVersion.V500;
        var keepSession = persistentSession && !s.CleanStart;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(s.Host, s.EffectivePort)
            .WithProtocolVersion(v5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311)
            .WithClientId(clientId)
            .WithCleanStart(!keepSession)
            .WithSessionExpiryInterval(v5 && keepSession ? PersistentSessionSeconds : 0)
            .WithTimeout(s.Timeout);
        if (v5)
        {
            builder = builder.WithReceiveMaximum(InboundSession.MaxInFlight);
        }

        builder = s.KeepAliveSeconds > 0 ? builder.WithKeepAlivePeriod(TimeSpan.FromSeconds(s.KeepAliveSeconds)) : builder.WithNoKeepAlive();
        if (!string.IsNullOrEmpty(s.Username) || !string.IsNullOrEmpty(secrets.Password))
        {
            builder = builder.WithCredentials(s.Username, secrets.Password);
        }

        if (s.Tls)
        {
            builder = builder.WithTlsOptions(tls => tls.UseTls().WithCertificateValidationHandler(certificates.Validate));
        }

        return builder.Build();
    }

    private static CommunicatorException Classify(Exception e, MqttBridgeSettings settings, ServerCertificateCheck certificates, bool timedOut)
    {
        var target = settings.Target;
        if (certificates.Refusal is { } refusal)
        {
            return new(ConnectionFailure.Tls, $"The TLS handshake with {target} failed: the broker's certificate {refusal}.", e);
        }

        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is MqttCommunicationTimedOutException)
            {
                timedOut = true;
            }
            else if (inner is MqttProtocolViolationException)
            {
                return new(ConnectionFailure.Protocol, $"{target} did not answer in MQTT: is it the broker's MQTT port{(settings.Tls ? "" : ", or does it expect TLS")}?", e);
            }
        }

        var failure = ConnectionFailures.Classify(e, target, timedOut);
        if (failure.Failure == ConnectionFailure.Other && e is MqttCommunicationException)
        {
            // The socket opened, then closed before the CONNACK: not an MQTT listener, or one that wants TLS.
            return new(ConnectionFailure.Protocol,
                $"{target} closed the connection before answering CONNECT: is it the broker's MQTT port{(settings.Tls ? ", and does it speak TLS" : ", or does it expect TLS")}?", e);
        }

        return failure;
    }
}
