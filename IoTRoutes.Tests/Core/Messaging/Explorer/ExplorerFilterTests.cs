using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Explorer;
using IoTRoutes.Core.Messaging.Formats;

namespace IoTRoutes.Tests.Core.Messaging.Explorer;

public sealed class ExplorerFilterTests
{
    [Theory]
    [InlineData("devices/+/up", "devices/a/up", true)]
    [InlineData("devices/+/up", "devices/a/b/up", false)]
    [InlineData("devices/+/up", "devices/a/UP", false)]
    [InlineData("devices/a/#", "devices/a", true)]
    [InlineData("devices/a/#", "devices/a/x/y", true)]
    [InlineData("devices/a/#", "devices/ab", false)]
    [InlineData("#", "$SYS/broker", false)]
    [InlineData("+/+", "a/", true)]
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/b", "a/b/c", false)]
    public void A_topic_filter_matches_as_an_MQTT_broker_would(string filter, string topic, bool matches)
    {
        var (parsed, error) = TopicFilter.Parse(filter);

        Assert.Null(error);
        Assert.Equal(matches, parsed!.Matches(topic));
    }

    [Theory]
    [InlineData("devices/+/up", "devices/", null)]
    [InlineData("devices/a/#", "devices/a/", "devices/a")]
    [InlineData("devices/+/#", "devices/", null)]
    [InlineData("#", "", null)]
    public void The_part_before_the_first_wildcard_narrows_the_query(string filter, string prefix, string? parent)
    {
        var parsed = TopicFilter.Parse(filter).Filter!;

        Assert.Equal((prefix, parent), (parsed.Prefix, parsed.Parent));
    }

    [Theory]
    [InlineData("devices/abc/#", "abc")]
    [InlineData("devices/abc/up", "abc")]
    [InlineData("devices/abc/+/x", "abc")]
    [InlineData("devices/+/up", null)]
    [InlineData("devices/abc", null)]
    [InlineData("other/abc/up", null)]
    public void A_filter_within_one_devices_topics_names_its_key(string filter, string? key) =>
        Assert.Equal(key, TopicFilter.Parse(filter).Filter!.DeviceKey);

    [Theory]
    [InlineData("a/#/b")]
    [InlineData("a/b#")]
    [InlineData("a/+b")]
    [InlineData("")]
    public void A_malformed_topic_filter_is_an_error(string filter) => Assert.NotNull(TopicFilter.Parse(filter).Error);

    [Fact]
    public void A_cursor_reads_back_as_the_id_it_was_made_of_and_anything_else_is_refused()
    {
        var id = Guid.CreateVersion7();

        Assert.Equal(id, ExplorerCursor.Decode(ExplorerCursor.Encode(id)));
        Assert.Null(ExplorerCursor.Decode("not-a-cursor"));
        Assert.Null(ExplorerCursor.Decode(id.ToString()));
    }

    [Theory]
    [InlineData("gt", "20", true)]
    [InlineData("lt", "20", false)]
    [InlineData("eq", "21.5", true)]
    [InlineData("ne", "21.5", false)]
    [InlineData("contains", "1.", true)]
    [InlineData("exists", null, true)]
    public void A_field_condition_compares_numbers_as_numbers(string op, string? value, bool matches)
    {
        var condition = FieldCondition.Parse("air.temperature", op, value).Condition!;
        IReadOnlyList<FieldDto> fields = [new("air.temperature", JsonValue.Create(21.5), "°C"), new("mode", JsonValue.Create("Eco"), null)];

        Assert.Equal(matches, condition.Matches(fields));
    }

    [Fact]
    public void Text_compares_in_any_case_and_a_missing_field_matches_no_condition()
    {
        IReadOnlyList<FieldDto> fields = [new("mode", JsonValue.Create("Eco"), null)];

        Assert.True(FieldCondition.Parse("mode", "eq", "ECO").Condition!.Matches(fields));
        Assert.False(FieldCondition.Parse("other", "ne", "x").Condition!.Matches(fields));
        Assert.Equal("\"temperature\"", FieldCondition.Parse("air.temperature", "exists", null).Condition!.StoredKey);
        Assert.Null(FieldCondition.Parse("température", "exists", null).Condition!.StoredKey); // JSON may write it escaped
    }
}
