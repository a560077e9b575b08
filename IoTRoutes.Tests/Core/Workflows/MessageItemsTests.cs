using System.Text;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Runner;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>How a stored message's JSON becomes an item's fields.</summary>
public sealed class MessageItemsTests
{
    private static readonly DeviceContext Device = new(Guid.NewGuid(), "Lab", "lab", Guid.Empty, null, null, new Dictionary<string, object?>());

    [Fact]
    public void Top_level_fields_become_doubles_texts_booleans_and_nulls_and_objects_stay_json()
    {
        var item = From("""{"temp":21.5,"n":3,"name":"lab","ok":true,"off":false,"none":null,"gps":{"lat":48.8},"list":[1,2]}""");

        Assert.Equal(21.5, Assert.IsType<double>(item.Field("temp")));
        Assert.Equal(3.0, Assert.IsType<double>(item.Field("n")));
        Assert.Equal(("lab", true, false), (item.Field("name"), item.Field("ok"), item.Field("off")));
        Assert.True(item.Fields.ContainsKey("none"));
        Assert.Null(item.Field("none"));
        Assert.Equal(48.8, ((JsonObject)item.Field("gps")!)["lat"]!.GetValue<double>());
        Assert.Equal(2, ((JsonArray)item.Field("list")!).Count);
        Assert.Equal(("message", "t/1", Device.Id), (item.Trigger, item.Message!.Topic, item.Device!.Id));
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("42")]
    [InlineData("{\"temp\":")]
    [InlineData("not json")]
    [InlineData("")]
    public void Anything_but_a_whole_json_object_gives_no_fields(string payload) => Assert.Empty(From(payload).Fields);

    [Fact]
    public void Decoded_data_wins_over_the_payload_and_a_number_too_large_for_a_double_is_kept_as_its_text()
    {
        var item = MessageItems.From(Guid.NewGuid(), "t/1", DateTimeOffset.UtcNow, null, """{"big":1e400,"temp":20}""", Encoding.UTF8.GetBytes("""{"temp":99}"""), Device);

        Assert.Equal(20.0, Assert.IsType<double>(item.Field("temp")));
        Assert.Equal("1e400", item.Field("big"));
    }

    private static WorkflowItem From(string payload) =>
        MessageItems.From(Guid.NewGuid(), "t/1", DateTimeOffset.UtcNow, null, null, Encoding.UTF8.GetBytes(payload), Device);
}
