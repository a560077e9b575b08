using System.Threading.Channels;

namespace IoTRoutes.Core.Messaging;

/// <summary>Wakes one background worker; signals raised before it wakes collapse into one.</summary>
public abstract class CollapsingSignal
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Raise() => _signal.Writer.TryWrite(true);

    public async Task WaitAsync(CancellationToken ct) => await _signal.Reader.ReadAsync(ct);
}
