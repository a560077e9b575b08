using System.Threading.Channels;
using IoTRoutes.Core.Communicators.MqttBridge;

namespace IoTRoutes.Tests.Communicators.MqttBridge;

/// <summary>An inbound side that records what the bridge delivers; it can answer "unknown device" or hold deliveries.</summary>
public sealed class RecordingInbound : IMqttBridgeInbound
{
    private readonly Channel<MqttBridgeUplink> _delivered = Channel.CreateUnbounded<MqttBridgeUplink>();

    public MqttBridgeDelivery Answer { get; set; } = MqttBridgeDelivery.Stored;

    /// <summary>When set, a delivery is recorded, then "stored" only once this completes (or the bridge gives up on it).</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>When set, the next delivery fails to be stored (as a full disk would).</summary>
    public bool FailNext { get; set; }

    public Task<Task<MqttBridgeDelivery>> SubmitAsync(MqttBridgeUplink uplink, CancellationToken ct)
    {
        _delivered.Writer.TryWrite(uplink);
        if (FailNext)
        {
            FailNext = false;
            return Task.FromResult(Task.FromException<MqttBridgeDelivery>(new IOException("The disk is full.")));
        }

        return Task.FromResult(StoredAsync(Hold, Answer, ct));
    }

    private static async Task<MqttBridgeDelivery> StoredAsync(TaskCompletionSource? hold, MqttBridgeDelivery answer, CancellationToken ct)
    {
        if (hold is not null)
        {
            await hold.Task.WaitAsync(ct);
        }

        return answer;
    }

    /// <summary>The next delivery, failing after 10 s.</summary>
    public async Task<MqttBridgeUplink> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            return await _delivered.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The bridge delivered nothing within 10 s.");
        }
    }

    public bool TryNext(out MqttBridgeUplink? uplink) => _delivered.Reader.TryRead(out uplink);
}
