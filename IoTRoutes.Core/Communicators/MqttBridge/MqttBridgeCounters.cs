namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>A bridge's message counts for its state: in, out, dropped (with the latest reason) and the last message's time.</summary>
internal sealed class MqttBridgeCounters(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private long _in;
    private long _out;
    private long _dropped;
    private string? _lastDrop;
    private DateTimeOffset? _lastMessageAt;

    public void Received() => Count(ref _in);

    public void Sent() => Count(ref _out);

    public void Dropped(string topic, string why)
    {
        lock (_gate)
        {
            _dropped++;
            _lastDrop = $"{topic}: {why}";
        }
    }

    public (long In, long Out, long Dropped, string? LastDrop, DateTimeOffset? LastMessageAt) Read()
    {
        lock (_gate)
        {
            return (_in, _out, _dropped, _lastDrop, _lastMessageAt);
        }
    }

    private void Count(ref long counter)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            counter++;
            _lastMessageAt = now;
        }
    }
}
