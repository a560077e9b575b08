using IoTRoutes.Core.Messaging.Brokers.Topics;

namespace IoTRoutes.Tests.Core.Messaging.Brokers;

public sealed class DeniedTopicsTests
{
    [Theory]
    [InlineData("a/b/c", "a/#", true)]
    [InlineData("a/+/c", "a/#", true)]
    [InlineData("a/#", "a/#", true)]
    [InlineData("a", "a/#", true)] // "a/#" matches its parent level
    [InlineData("a/+/c", "+/+/c", true)]
    [InlineData("a/b", "a/+", true)]
    [InlineData("#", "a/#", false)]
    [InlineData("+/+", "a/#", false)]
    [InlineData("a/+", "a/b", false)]
    [InlineData("a/#", "a/+", false)]
    [InlineData("a/b/c", "a/b", false)]
    [InlineData("a/b", "a/b/c", false)]
    [InlineData("$SYS/x", "#", false)] // a leading wildcard never matches '$' topics
    [InlineData("$SYS/x", "$SYS/#", true)]
    public void A_filter_lies_within_an_area_when_every_topic_it_matches_lies_there(string filter, string area, bool within) =>
        Assert.Equal(within, TopicFilter.IsWithin(filter, area));

    [Theory]
    [InlineData("test/nosubscribe", true)]
    [InlineData("test/nosubscribe/#", true)]
    [InlineData("test/nosubscribe/+/deeper", true)]
    [InlineData("#", false)]
    [InlineData("+/+", false)]
    [InlineData("test/+", false)]
    [InlineData("test/nosubscribe2", false)]
    public void A_denied_topic_refuses_the_filters_inside_it_and_grants_broader_ones(string filter, bool refused) =>
        Assert.Equal(refused, new DeniedTopics(["test/nosubscribe"]).Refusing(filter) is not null);

    [Theory]
    [InlineData("test/nosubscribe", true)]
    [InlineData("test/nosubscribe/below", true)]
    [InlineData("test/nosubscribe2", false)]
    [InlineData("test/open", false)]
    public void A_denied_topic_hides_its_messages_from_broader_subscriptions(string topic, bool hidden) =>
        Assert.Equal(hidden, new DeniedTopics(["test/nosubscribe"]).Hides(topic));

    [Fact]
    public void A_denied_filter_ending_in_a_wildcard_keeps_its_own_area()
    {
        var denied = new DeniedTopics(["secret/#", "+/private"]);

        Assert.Equal("secret/#", denied.Refusing("secret/plans"));
        Assert.Equal("+/private", denied.Refusing("home/private"));
        Assert.True(denied.Hides("home/private/diary"));
        Assert.False(denied.Hides("home/public"));
        Assert.True(new DeniedTopics([]).IsEmpty);
    }
}
