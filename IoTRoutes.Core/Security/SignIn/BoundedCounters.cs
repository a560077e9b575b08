namespace IoTRoutes.Core.Security.SignIn;

/// <summary>
/// One key's recent failures as a leaky count: each failure adds one, and one leaks away every <c>leak</c>, so a steady
/// trickle of mistakes (a shared address, typos) never adds up while a burst does. Plus until when attempts are refused.
/// </summary>
internal sealed class FailureCounter
{
    private double _failures;
    private DateTimeOffset _updatedAt;

    public DateTimeOffset BlockedUntil { get; set; }

    /// <summary>Whether a refusal has been audited since the block began (one audit entry per block, not per attempt).</summary>
    public bool RefusalReported { get; set; }

    /// <summary>An account under attack lets one attempt from an unfamiliar address run at a time.</summary>
    public SemaphoreSlim? Gate { get; set; }

    public DateTimeOffset UpdatedAt => _updatedAt;

    public double Failures(DateTimeOffset now, TimeSpan leak)
    {
        Leak(now, leak);
        return _failures;
    }

    public void Add(double failures, DateTimeOffset now, TimeSpan leak)
    {
        Leak(now, leak);
        _failures = Math.Max(0, _failures + failures);
    }

    public bool IsIdle(DateTimeOffset now, TimeSpan leak) => BlockedUntil <= now && Failures(now, leak) < 0.01 && Gate is not { CurrentCount: 0 };

    private void Leak(DateTimeOffset now, TimeSpan leak)
    {
        if (now > _updatedAt)
        {
            _failures = Math.Max(0, _failures - (now - _updatedAt) / leak);
            _updatedAt = now;
        }
    }
}

/// <summary>
/// Failure counters by key, not thread-safe (the throttle holds one lock). At most <see cref="Capacity"/> keys: past
/// that, idle keys go first, then the least recently updated half whatever their state, so a flood of new keys costs
/// memory once and never grows the table.
/// </summary>
internal sealed class BoundedCounters<TKey>(TimeSpan leak) where TKey : notnull
{
    public const int Capacity = 100_000;

    private readonly Dictionary<TKey, FailureCounter> _counters = [];

    public TimeSpan Leak => leak;

    public int Count => _counters.Count;

    public FailureCounter? Find(TKey key) => _counters.GetValueOrDefault(key);

    public FailureCounter GetOrAdd(TKey key, DateTimeOffset now)
    {
        if (_counters.TryGetValue(key, out var counter))
        {
            return counter;
        }

        if (_counters.Count >= Capacity)
        {
            MakeRoom(now);
        }

        return _counters[key] = new FailureCounter();
    }

    public void Remove(TKey key) => _counters.Remove(key);

    public void RemoveWhere(Func<TKey, bool> match)
    {
        foreach (var key in _counters.Keys.Where(match).ToList()) _counters.Remove(key);
    }

    private void MakeRoom(DateTimeOffset now)
    {
        foreach (var idle in _counters.Where(c => c.Value.IsIdle(now, leak)).Select(c => c.Key).ToList())
        {
            _counters.Remove(idle);
        }

        if (_counters.Count < Capacity * 9 / 10)
        {
            return;
        }

        foreach (var oldest in _counters.OrderBy(c => c.Value.UpdatedAt).Take(_counters.Count / 2).Select(c => c.Key).ToList())
        {
            _counters.Remove(oldest);
        }
    }
}
