namespace IoTRoutes.Core.Security.SignIn;

/// <summary>One key's failed attempts, and until when further attempts are refused.</summary>
internal sealed class FailureCounter
{
    public int Failures { get; private set; }
    public DateTimeOffset LastFailureAt { get; private set; }
    public DateTimeOffset BlockedUntil { get; set; }

    public void Count(DateTimeOffset now)
    {
        Failures++;
        LastFailureAt = now;
    }

    public void Refund() => Failures = Math.Max(0, Failures - 1);

    public bool IsStale(DateTimeOffset now, TimeSpan forgetAfter) => BlockedUntil <= now && now - LastFailureAt >= forgetAfter;
}

/// <summary>
/// Failure counters by key, not thread-safe (the throttle holds one lock). At most <see cref="Capacity"/> keys: past
/// that, stale keys go first, then the least recently failing half, so a flood of new keys costs memory once.
/// </summary>
internal sealed class BoundedCounters<TKey> where TKey : notnull
{
    public const int Capacity = 100_000;

    private readonly Dictionary<TKey, FailureCounter> _counters = [];

    public int Count => _counters.Count;

    /// <summary>The key's counter, created when missing, started again from zero when stale.</summary>
    public FailureCounter Get(TKey key, DateTimeOffset now, TimeSpan forgetAfter)
    {
        if (_counters.TryGetValue(key, out var counter) && !counter.IsStale(now, forgetAfter))
        {
            return counter;
        }

        if (counter is null && _counters.Count >= Capacity)
        {
            MakeRoom(now, forgetAfter);
        }

        return _counters[key] = new FailureCounter();
    }

    public int Peek(TKey key, DateTimeOffset now, TimeSpan forgetAfter) =>
        _counters.TryGetValue(key, out var counter) && !counter.IsStale(now, forgetAfter) ? counter.Failures : 0;

    public void Refund(TKey key)
    {
        if (_counters.TryGetValue(key, out var counter)) counter.Refund();
    }

    public void Remove(TKey key) => _counters.Remove(key);

    public void RemoveWhere(Func<TKey, bool> match)
    {
        foreach (var key in _counters.Keys.Where(match).ToList()) _counters.Remove(key);
    }

    private void MakeRoom(DateTimeOffset now, TimeSpan forgetAfter)
    {
        foreach (var stale in _counters.Where(c => c.Value.IsStale(now, forgetAfter)).Select(c => c.Key).ToList())
        {
            _counters.Remove(stale);
        }

        if (_counters.Count < Capacity * 9 / 10)
        {
            return;
        }

        foreach (var oldest in _counters.Where(c => c.Value.BlockedUntil <= now).OrderBy(c => c.Value.LastFailureAt)
                     .Take(_counters.Count / 2).Select(c => c.Key).ToList())
        {
            _counters.Remove(oldest);
        }
    }
}
