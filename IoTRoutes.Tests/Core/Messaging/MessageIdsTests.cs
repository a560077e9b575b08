using IoTRoutes.Core.Messaging;

namespace IoTRoutes.Tests.Core.Messaging;

public sealed class MessageIdsTests
{
    [Fact]
    public void Ids_are_version_7_uuids_carrying_their_millisecond_and_sort_by_time()
    {
        var at = new DateTimeOffset(2026, 11, 25, 23, 59, 58, 123, TimeSpan.Zero);

        var id = MessageIds.Next(at);
        var later = MessageIds.Next(at.AddMilliseconds(1));

        Assert.Equal(7, id.Version);
        Assert.InRange(id.Variant, 8, 11); // 10xx: the RFC 9562 variant
        var text = id.ToString("N");
        Assert.Equal(at.ToUnixTimeMilliseconds(), Convert.ToInt64(text[..12], 16));
        Assert.True(string.CompareOrdinal(id.ToString(), later.ToString()) < 0); // the text order (SQLite's) follows time
        Assert.NotEqual(id, MessageIds.Next(at)); // random bits tell messages of the same millisecond apart
    }
}
