namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>Events per second over the last few whole seconds; marking is lock-free and allocation-free.</summary>
public sealed class RateMeter(TimeProvider clock)
{
    private const int Window = 5;
    private readonly long[] _counts = new long[Window + 1];
    private readonly long[] _seconds = new long[Window + 1];

    public void Mark()
    {
        var second = clock.GetUtcNow().ToUnixTimeSeconds();
        var slot = (int)(second % _counts.Length);
        if (Interlocked.Exchange(ref _seconds[slot], second) != second)
        {
            // First mark in this second for the slot: it held an old second's count. A mark racing this reset may be lost.
            Interlocked.Exchange(ref _counts[slot], 0);
        }

        Interlocked.Increment(ref _counts[slot]);
    }

    /// <summary>Average over the last <c>Window</c> complete seconds.</summary>
    public double PerSecond
    {
        get
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            long total = 0;
            for (var s = now - Window; s < now; s++)
            {
                var slot = (int)(s % _counts.Length);
                if (Volatile.Read(ref _seconds[slot]) == s)
                {
                    total += Volatile.Read(ref _counts[slot]);
                }
            }

            return total / (double)Window;
        }
    }
}
