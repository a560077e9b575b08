namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>
/// What one connection of a bridge has on its way in: at most <see cref="MaxInFlight"/> messages being stored, the last
/// acknowledgement (the next waits for it), and the end of the connection, after which no acknowledgement may go out
/// (it would carry a packet id of the old connection on the new one).
/// </summary>
internal sealed class InboundSession
{
    /// <summary>Messages being stored at once; MQTT 5 brokers are told so (Receive Maximum).</summary>
    public const int MaxInFlight = 100;

    private readonly CancellationTokenSource _ended = new();
    private volatile bool _closing;

    public SemaphoreSlim Window { get; } = new(MaxInFlight);

    public CancellationToken Ended => _ended.Token;

    /// <summary>Only MQTTnet's one receiving loop sets it.</summary>
    public Task LastAcknowledgement { get; set; } = Task.CompletedTask;

    /// <summary>Stopping: messages arriving now are left unacknowledged, for the broker to deliver them again.</summary>
    public bool Closing => _closing;

    /// <summary>Takes no more messages, and waits (at most <paramref name="grace"/>) for those taken to be acknowledged.</summary>
    public async Task DrainAsync(TimeSpan grace)
    {
        _closing = true;

        // Each message taken holds a place in the window until it is acknowledged (or given up): all places free, none is left.
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            for (var i = 0; i < MaxInFlight; i++)
            {
                await Window.WaitAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Still storing: given up by the stop, never acknowledged, delivered again.
        }
    }

    /// <summary>True for the call that ended it.</summary>
    public bool End()
    {
        lock (_ended)
        {
            if (_ended.IsCancellationRequested) return false;
            _ended.Cancel();
            return true;
        }
    }
}
