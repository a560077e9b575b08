using System.Net;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// Counts a broker's connections that are accepted but not yet past their CONNECT, in all and per remote address (IPv6: per /64), and
/// refuses new ones over either bound. The per-minute attempt limit applies only at CONNECT; without this, a client
/// that opens sockets and never speaks could hold thousands of them (issue 13).
/// </summary>
internal sealed class PendingConnects(int maxTotal, int maxPerAddress)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _byAddress = [];
    private int _total;
    private long _refused;
    private long _reported;
    private long _reportedAt = long.MinValue / 2;

    /// <summary>Connections awaiting their CONNECT now.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _total;
        }
    }

    /// <summary>Connections refused over the bounds since the broker started.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>A place for a new connection, or null and why not.</summary>
    public Lease? TryEnter(EndPoint? remote, out string? refusal)
    {
        var address = SourceOf(remote);
        lock (_gate)
        {
            refusal = _total >= maxTotal ? $"{maxTotal} connections are already awaiting their CONNECT"
                : address is not null && _byAddress.GetValueOrDefault(address) >= maxPerAddress ? $"{maxPerAddress} connections from this address are already awaiting their CONNECT"
                : null;
            if (refusal is not null)
            {
                Interlocked.Increment(ref _refused);
                return null;
            }

            _total++;
            if (address is not null) _byAddress[address] = _byAddress.GetValueOrDefault(address) + 1;
        }

        return new Lease(this, address);
    }

    /// <summary>
    /// The refusals not yet reported, at most once every ten seconds (null in between): one log line however large the
    /// flood.
    /// </summary>
    public long? RefusalsToReport()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _reportedAt);
        if (now - last < 10_000 || Interlocked.CompareExchange(ref _reportedAt, now, last) != last)
        {
            return null;
        }

        var refused = Refused;
        return refused - Interlocked.Exchange(ref _reported, refused);
    }

    internal static IPAddress? SourceOf(EndPoint? remote) => (remote as IPEndPoint)?.Address is { } address ? RemoteSource.Normalize(address) : null;

    private void Leave(IPAddress? address)
    {
        lock (_gate)
        {
            _total--;
            if (address is not null && _byAddress.TryGetValue(address, out var count))
            {
                if (count <= 1) _byAddress.Remove(address);
                else _byAddress[address] = count - 1;
            }
        }
    }

    /// <summary>One connection's place; given back once, when its first packet has arrived or it ended.</summary>
    public sealed class Lease(PendingConnects owner, IPAddress? address) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Leave(address);
        }
    }
}
