using IoTRoutes.Core.Messaging;

namespace IoTRoutes.Tests.Core.Messaging;

public sealed class MessageQueryTests
{
    [Fact]
    public void The_default_query_is_valid() => Assert.Null(new MessageQuery().Validate());

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public void A_limit_outside_1_to_1000_is_invalid(int limit) =>
        Assert.Contains("limit", new MessageQuery(Limit: limit).Validate()!.Keys);

    [Fact]
    public void From_after_to_is_invalid()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Contains("from", new MessageQuery(From: now, To: now.AddSeconds(-1)).Validate()!.Keys);
        Assert.Null(new MessageQuery(From: now, To: now).Validate());
    }
}
