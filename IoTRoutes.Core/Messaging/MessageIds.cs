namespace IoTRoutes.Core.Messaging;

/// <summary>
/// Ids of stored messages: version 7 UUIDs (time-ordered, RFC 9562) like <see cref="Guid.CreateVersion7(DateTimeOffset)"/>,
/// but with the fast non-cryptographic generator: a message id is a key, not a secret, and the cryptographic one costs
/// a system call per message on Linux (docs/benchmarks.md).
/// </summary>
public static class MessageIds
{
    public static Guid Next(DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes[6..]);
        var milliseconds = at.ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)milliseconds;
            milliseconds >>= 8;
        }

        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F)); // version 7
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F)); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
