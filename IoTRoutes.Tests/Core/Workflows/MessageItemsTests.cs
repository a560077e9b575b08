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

    [Fact]
    public void A_later_field_of_the_same_name_wins_and_nested_objects_stay_json()
    {
        var item = From("""{"temp":1,"gps":{"lat":1,"lat":2},"temp":2.5,"t\u0065mp2":"escaped","ünit":"°C"}""");

        Assert.Equal(2.5, item.Field("temp"));
        // Kept as the JSON parser keeps it (its duplicate names refused only when a member is read), as before.
        Assert.IsType<JsonObject>(item.Field("gps"));
        Assert.Equal("escaped", item.Field("temp2"));
        Assert.Equal("°C", item.Field("ünit"));
        Assert.Equal(["temp", "gps", "temp2", "ünit"], item.Fields.Keys);
        Assert.Null(item.Field("missing"));
    }

    [Fact]
    public void Many_names_long_names_and_names_read_again_are_each_their_own_field()
    {
        var names = Enumerable.Range(0, 5000).Select(i => $"field{i}").Append(new string('n', 100)).Append("x").ToList();
        var json = "{" + string.Join(",", names.Select((n, i) => $"\"{n}\":{i}")) + "}";

        for (var pass = 0; pass < 2; pass++)
        {
            var item = From(json);
            Assert.Equal(names, item.Fields.Keys);
            Assert.All(names.Select((n, i) => (n, i)), p => Assert.Equal((double)p.i, item.Field(p.n)));
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("0.1")]
    [InlineData("21.5")]
    [InlineData("-40")]
    [InlineData("1013.25")]
    [InlineData("0.30000000000000004")]
    [InlineData("123456789012345")]
    [InlineData("1234567890123456789")]
    [InlineData("9007199254740993")]
    [InlineData("0.000000000000001")]
    [InlineData("99999999999999.9")]
    [InlineData("1e3")]
    [InlineData("1.5E-7")]
    [InlineData("-2.5e+300")]
    public void A_number_reads_as_the_same_double_as_the_json_reader_gives(string number)
    {
        var value = Assert.IsType<double>(From($"{{\"n\":{number}}}").Field("n"));

        Assert.Equal(BitConverter.DoubleToInt64Bits(double.Parse(number, System.Globalization.CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(value));
    }

    [Fact]
    public void Short_numbers_read_without_the_general_parser_are_the_doubles_it_gives()
    {
        var random = new Random(15);
        for (var i = 0; i < 200_000; i++)
        {
            var digits = random.Next(1, 16);
            var text = random.NextInt64(0, (long)Math.Pow(10, digits)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var point = random.Next(0, text.Length);
            if (point > 0) text = text[..point] + "." + text[point..];
            if (random.Next(2) == 0) text = "-" + text;
            var bytes = Encoding.UTF8.GetBytes(text);
            var reader = new System.Text.Json.Utf8JsonReader(bytes);
            reader.Read();
            Assert.True(reader.TryGetDouble(out var expected));

            Assert.True(Numbers.TryReadShort(bytes, out var fast), text);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(fast), $"{text}: {expected:R} vs {fast:R}");
        }
    }

    private static WorkflowItem From(string payload) =>
        MessageItems.From(Guid.NewGuid(), "t/1", DateTimeOffset.UtcNow, null, null, Encoding.UTF8.GetBytes(payload), Device);
}
