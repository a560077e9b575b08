namespace IoTRoutes.Core.Messaging;

/// <summary>
/// Ids of stored messages: version 7 UUIDs (time-ordered, RFC 9562) like <see cref="Guid.CreateVersion7(DateTimeOffset)"/>,
/// but with the fast non-cryptographic generator: a message id is a key, not a secret, and the cryptographic one costs
/// a system call per message on Linux (docs/benchmarks.md).
/// </summary>
public static class MessageIds
{
    private static readonly MessageIdGenerator Shared = new();

    public static Guid Next(DateTimeOffset at) => Shared.Next(at);

    /// <summary>The lowest id a message received at <paramref name="at"/> (that millisecond or later) can have.</summary>
    public static Guid Floor(DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[16];
        var time = at.ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)time;
            time >>= 8;
        }

        bytes[6] = 0x70; // version 7, counter 0
        bytes[8] = 0x80; // RFC 9562 variant, nothing random
        return new Guid(bytes, bigEndian: true);
    }
}

/// <summary>
/// Version 7 UUIDs that increase within a millisecond in the order they are made (RFC 9562 §6.2, method 1: a 12-bit
/// counter in <c>rand_a</c>). Lists order messages by time, then id: a device sends many messages within a
/// millisecond (and SQLite keeps times to 100 µs), and with random bits there they were listed out of order.
/// </summary>
public sealed class MessageIdGenerator
{
    private const int CounterBits = 12;

    // The last id's millisecond and counter, as (milliseconds << 12) | counter.
    private long _last;

    public Guid Next(DateTimeOffset at)
    {
        var milliseconds = at.ToUnixTimeMilliseconds();
        var stamp = Reserve(milliseconds);
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes[8..]);
        var time = stamp >> CounterBits;
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)time;
            time >>= 8;
        }

        var counter = (int)(stamp & ((1 << CounterBits) - 1));
        bytes[6] = (byte)(0x70 | (counter >> 8)); // version 7, then the counter's high 4 bits
        bytes[7] = (byte)counter;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F)); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>
    /// The next (millisecond, counter) at or after <paramref name="milliseconds"/>. Past 4,096 ids in one millisecond the
    /// counter carries into the next one (the RFC allows it). A time more than a second before the last id (the clock
    /// set back) keeps its own millisecond with a random counter and leaves the sequence alone, so ids do not carry a
    /// time far from their message's.
    /// </summary>
    private long Reserve(long milliseconds)
    {
        const long maxDrift = 1000L << CounterBits;
        var start = milliseconds << CounterBits;
        while (true)
        {
            var last = Volatile.Read(ref _last);
            if (last - start > maxDrift)
            {
                return start + Random.Shared.Next(1 << CounterBits);
            }

            var next = Math.Max(start, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return next;
            }
        }
    }
}
