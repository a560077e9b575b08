using System.Text;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators.Actions;

namespace IoTRoutes.Tests.Core.Communicators;

public sealed class ItemCsvTests
{
    [Fact]
    public void A_list_of_objects_becomes_one_row_each_with_nested_members_as_dotted_columns_in_the_order_first_met()
    {
        var item = JsonNode.Parse("""
            {"site":"North","rows":[{"device":"Pump, A","fields":{"temp":{"mean":21.5}}},{"device":"=HYPERLINK(1)","extra":[1,2],"ok":true,"none":null}]}
            """)!.AsObject();

        var (csv, problem) = ItemCsv.Write(item, "rows");

        Assert.Null(problem);
        Assert.Equal(
            "device,fields.temp.mean,extra,ok,none\r\n\"Pump, A\",21.5,,,\r\n\"'=HYPERLINK(1)\",,\"[1,2]\",true,\r\n",
            Encoding.UTF8.GetString(csv!));
    }

    [Fact]
    public void Without_a_rows_field_the_item_is_one_row_and_an_empty_item_is_a_problem()
    {
        var (csv, _) = ItemCsv.Write(JsonNode.Parse("""{"a":1,"b":{"c":"x"}}""")!.AsObject(), null);
        Assert.Equal(["a,b.c", "1,x"], Encoding.UTF8.GetString(csv!).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));

        Assert.Equal("The item has no fields to make a CSV of.", ItemCsv.Write(new JsonObject(), null).Problem);
        Assert.Equal("The item has no list in the field \"rows\" to make a CSV of.", ItemCsv.Write(JsonNode.Parse("""{"rows":3}""")!.AsObject(), "rows").Problem);
        Assert.Empty(ItemCsv.Write(JsonNode.Parse("""{"rows":[]}""")!.AsObject(), "rows").Csv!);
    }
}
