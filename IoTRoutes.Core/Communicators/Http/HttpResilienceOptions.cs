namespace IoTRoutes.Core.Communicators.Http;

/// <summary>
/// How HTTP communicators retry and when they stop calling a failing target, the same for all of them (retries
/// and timeouts per communicator are in <see cref="HttpSettings"/>).
/// </summary>
public sealed class HttpResilienceOptions
{
    /// <summary>The first retry's wait, doubled for each next one, with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A Retry-After longer than this is not waited for: the call fails at once as unavailable.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The circuit opens when at least this many attempts within <see cref="SamplingDuration"/>...</summary>
    public int MinimumThroughput { get; init; } = 5;

    /// <summary>...have failed in at least this share (5xx, 408, 429, no connection, timeout).</summary>
    public double FailureRatio { get; init; } = 0.5;

    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an open circuit refuses calls before letting one through to test the target.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An answer's body is read up to this size; the rest is dropped and the result says it was cut.</summary>
    public int MaxResponseBytes { get; init; } = 1024 * 1024;
}
