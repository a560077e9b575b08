using System.Threading.Channels;
using IoTRoutes.Core.Communicators.MqttBridge;

namespace IoTRoutes.Tests.Communicators.MqttBridge;

/// <summary>An inbound side that records what the bridge delivers; it can answer "unknown device" or hold deliveries.</summary>
public sealed class RecordingInbound : IMqttBridgeInbound
{
    private readonly Channel<MqttBridgeUplink> _delivered = Channel.CreateUnbounded<MqttBridgeUplink>();

    public MqttBridgeDelivery Answer { get; set; } = MqttBridgeDelivery.Stored;

    /// <summary>When set, a delivery is recorded, then waits for this (or the bridge's cancellation) before it completes.</summary>
    public TaskCompletionSource? Hold { get; set; }

    public async Task<MqttBridgeDelivery> DeliverAsync(MqttBridgeUplink uplink, CancellationToken ct)
    {
        _delivered.Writer.TryWrite(uplink);
        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(ct);
        }

        return Answer;
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
