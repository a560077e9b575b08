using System.Threading.Channels;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>Wakes the acquisition worker when new messages are stored; many signals collapse into one.</summary>
public sealed class AcquisitionSignal
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Raise() => _signal.Writer.TryWrite(true);

    public async Task WaitAsync(CancellationToken ct) => await _signal.Reader.ReadAsync(ct);
}
