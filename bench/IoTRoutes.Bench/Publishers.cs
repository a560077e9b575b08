using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTRoutes.Bench;

public sealed record PublishResult(long Acknowledged, long Failed, TimeSpan Elapsed, double[] LatenciesMs)
{
    public double PerSecond => Acknowledged / Elapsed.TotalSeconds;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }

        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>
/// C MQTT clients, each publishing its share of messages with a few in flight at once. For QoS 1 the time from
/// PUBLISH to PUBACK is the publish → stored latency: IoTRoutes acknowledges only after the database commit.
/// </summary>
public static class Publishers
{
    public static async Task<List<IMqttClient>> ConnectAsync(int port, IReadOnlyList<Credentials?> credentials)
    {
        var clients = new IMqttClient[credentials.Count];
        await Parallel.ForAsync(0, credentials.Count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId($"bench-{i}-{Guid.NewGuid():N}").WithTimeout(TimeSpan.FromSeconds(30)).WithKeepAlivePeriod(TimeSpan.FromMinutes(5));
            if (credentials[i] is { } c)
            {
                options.WithCredentials(c.Key, c.Secret);
            }

            var result = await client.ConnectAsync(options.Build(), ct);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new InvalidOperationException($"Connection {i} refused: {result.ResultCode} {result.ReasonString}");
            }

            clients[i] = client;
        });
        return [.. clients];
    }

    /// <param name="payload">Builds the payload of each message from its sequence number (<see cref="Payloads.For"/>).</param>
    public static async Task<PublishResult> RunAsync(
        IReadOnlyList<IMqttClient> clients, IReadOnlyList<string> topics, BenchOptions options, Func<long, byte[]> payload, Func<long, bool>? stopAfter = null)
    {
        var qos = (MqttQualityOfServiceLevel)options.Qos;
        var perClient = options.Messages / clients.Count;
        var latencies = new double[perClient * clients.Count];
        long acknowledged = 0, failed = 0, sequence = 0;
        var pacer = options.Rate > 0 ? new Pacer(options.Rate) : null;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select((client, c) => Task.Run(async () =>
        {
            using var window = new SemaphoreSlim(options.InFlight);
            var pending = new List<Task>();
            for (var m = 0; m < perClient; m++)
            {
                if (stopAfter?.Invoke(Interlocked.Read(ref acknowledged)) == true)
                {
                    break;
                }

                await window.WaitAsync();
                if (pacer is not null)
                {
                    await pacer.WaitAsync();
                }

                var slot = c * perClient + m;
                var next = new MqttApplicationMessageBuilder().WithTopic(topics[c])
                    .WithPayload(payload(Interlocked.Increment(ref sequence)))
                    .WithQualityOfServiceLevel(qos).Build();
                pending.Add(PublishOneAsync(client, next, slot));
            }

            await Task.WhenAll(pending);

            async Task PublishOneAsync(IMqttClient mqtt, MqttApplicationMessage message, int slot)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var result = await mqtt.PublishAsync(message);
                    if (result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)
                    {
                        latencies[slot] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        Interlocked.Increment(ref acknowledged);
                        return;
                    }
                }
                catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
                {
                    // the connection went away (the kill mode does that on purpose): not acknowledged
                }
                finally
                {
                    window.Release();
                }

                latencies[slot] = double.NaN;
                Interlocked.Increment(ref failed);
            }
        })));
        var elapsed = clock.Elapsed;
        var measured = qos == MqttQualityOfServiceLevel.AtMostOnce ? [] : latencies.Where(l => l > 0 && !double.IsNaN(l)).ToArray();
        return new PublishResult(acknowledged, failed, elapsed, measured);
    }

    /// <summary>Spreads publishes evenly at a target rate across all clients.</summary>
    private sealed class Pacer(double perSecond)
    {
        private readonly long _interval = (long)(Stopwatch.Frequency / perSecond);
        private long _next = Stopwatch.GetTimestamp();

        public async Task WaitAsync()
        {
            var slot = Interlocked.Add(ref _next, _interval) - _interval;
            var wait = slot - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }
        }
    }
}
