using IoTRoutes.Core.Messaging;

namespace IoTRoutes.Tests.Core.Messaging;

public sealed class MessageIdsTests
{
    private readonly MessageIdGenerator _ids = new();

    [Fact]
    public void Ids_are_version_7_uuids_carrying_their_millisecond_and_sort_by_time()
    {
        var at = new DateTimeOffset(2026, 11, 25, 23, 59, 58, 123, TimeSpan.Zero);

        var id = _ids.Next(at);
        var later = _ids.Next(at.AddMilliseconds(1));

        Assert.Equal(7, id.Version);
        Assert.InRange(id.Variant, 8, 11); // 10xx: the RFC 9562 variant
        Assert.Equal(at.ToUnixTimeMilliseconds(), Convert.ToInt64(id.ToString("N")[..12], 16));
        Assert.Equal(at.AddMilliseconds(1).ToUnixTimeMilliseconds(), Convert.ToInt64(later.ToString("N")[..12], 16));
        Assert.True(string.CompareOrdinal(id.ToString(), later.ToString()) < 0); // the text order (SQLite's) follows time
    }

    [Fact]
    public void Ids_of_one_millisecond_increase_in_the_order_they_are_made()
    {
        var at = new DateTimeOffset(2026, 11, 30, 12, 0, 0, 7, TimeSpan.Zero);

        var ids = Enumerable.Range(0, 5000).Select(_ => _ids.Next(at)).ToList(); // more than the 4,096 a millisecond holds

        Assert.Equal(ids.Select(id => id.ToString()).Order(StringComparer.Ordinal), ids.Select(id => id.ToString())); // SQLite's text order
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(at.ToUnixTimeMilliseconds(), Convert.ToInt64(ids[4095].ToString("N")[..12], 16));
        Assert.Equal(at.ToUnixTimeMilliseconds() + 1, Convert.ToInt64(ids[4096].ToString("N")[..12], 16)); // carried over
    }

    [Fact]
    public void A_time_before_the_last_id_keeps_its_own_millisecond()
    {
        var now = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        _ids.Next(now);

        var earlier = _ids.Next(now.AddSeconds(-10)); // the clock was set back

        Assert.Equal(now.AddSeconds(-10).ToUnixTimeMilliseconds(), Convert.ToInt64(earlier.ToString("N")[..12], 16));
        Assert.Equal(7, earlier.Version);
    }
}
