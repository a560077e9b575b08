using System.Collections.Concurrent;
using System.Net;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// Counts connection attempts per remote address in fixed one-minute windows, so one address flooding CONNECTs
/// is refused while everyone else connects normally.
/// </summary>
public sealed class ConnectAttemptLimiter(int perMinute, TimeProvider clock)
{
    private readonly ConcurrentDictionary<IPAddress, Window> _windows = new();
    private long _lastSweep;

    /// <summary>Records an attempt; false when the address has used up its attempts for this minute.</summary>
    public bool TryAttempt(EndPoint? remote)
    {
        if (remote is not IPEndPoint ip)
        {
            return true; // in-process or WebSocket adapters without an address
        }

        var minute = clock.GetUtcNow().ToUnixTimeSeconds() / 60;
        SweepOldWindows(minute);
        var window = _windows.AddOrUpdate(ip.Address, _ => new Window(minute, 1),
            (_, w) => w.Minute == minute ? w with { Count = w.Count + 1 } : new Window(minute, 1));
        return window.Count <= perMinute;
    }

    /// <summary>True when the address has used up its attempts for this minute (nothing is recorded).</summary>
    public bool IsExhausted(EndPoint? remote) =>
        remote is IPEndPoint ip && _windows.TryGetValue(ip.Address, out var window)
        && window.Minute == clock.GetUtcNow().ToUnixTimeSeconds() / 60 && window.Count >= perMinute;

    private void SweepOldWindows(long minute)
    {
        if (Interlocked.Exchange(ref _lastSweep, minute) == minute)
        {
            return;
        }

        foreach (var (address, window) in _windows)
        {
            if (window.Minute < minute)
            {
                _windows.TryRemove(KeyValuePair.Create(address, window));
            }
        }
    }

    private sealed record Window(long Minute, int Count);
}
