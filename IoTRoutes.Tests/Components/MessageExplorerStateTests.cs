using IoTRoutes.Core.Messaging.Explorer;
using IoTRoutes.Web.Components.Pages.Messages.Explorer;

namespace IoTRoutes.Tests.Components;

/// <summary>The explorer's search as the page's address keeps it, and the payload views of its drawer.</summary>
public sealed class MessageExplorerStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_search_goes_into_the_address_and_comes_back_the_same()
    {
        var state = new ExplorerState(new MessageFilterText(DeviceId: Guid.NewGuid().ToString(), Topic: "devices/+/telemetry", State: "Rejected",
            Reason: "not valid", Field: "temp", Op: "gt", Value: "30"), ExplorerRange.Custom, Now.AddHours(-2), Now);

        var uri = new Uri(new Uri("http://host/"), state.ToRelativeUri());
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query);
        string? Get(string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;
        var back = ExplorerState.FromQuery(Get);

        Assert.Equal("/messages", uri.AbsolutePath);
        Assert.Equal("devices/+/telemetry", Get("topic"));
        Assert.Equal(state, back);
    }

    [Fact]
    public void A_quick_range_is_a_lower_bound_from_now_and_stays_open_while_a_custom_range_keeps_its_bounds()
    {
        var lastHour = new ExplorerState(new MessageFilterText(), ExplorerRange.LastHour).ToFilterText(Now);
        var custom = new ExplorerState(new MessageFilterText(), ExplorerRange.Custom, Now.AddDays(-3), Now.AddDays(-2));

        Assert.Equal("2026-12-07T09:00:00.000Z", lastHour.From);
        Assert.Null(lastHour.To);
        Assert.True(new ExplorerState(new MessageFilterText(), ExplorerRange.LastHour).IsOpenEnded);
        Assert.Equal("2026-12-04T10:00:00.000Z", custom.ToFilterText(Now).From);
        Assert.Equal("2026-12-05T10:00:00.000Z", custom.ToFilterText(Now).To);
        Assert.False(custom.IsOpenEnded);
        Assert.Null(new ExplorerState().ToFilterText(Now).From);
        Assert.Equal(ExplorerRange.Any, ExplorerState.FromQuery(name => name == "range" ? "fortnight" : null).Range);
    }

    [Fact]
    public void A_field_condition_without_its_value_is_left_out_until_it_has_one_and_the_export_link_carries_the_same_search()
    {
        var typing = new ExplorerState(new MessageFilterText(Field: "temp", Op: "gt"));
        var done = typing with { Filter = typing.Filter with { Value = "30" } };

        Assert.Null(typing.ToFilterText(Now).Field);
        Assert.Null(typing.ToFilterText(Now).Op);
        Assert.Equal("temp", new ExplorerState(new MessageFilterText(Field: "temp", Op: "exists")).ToFilterText(Now).Field);
        Assert.Equal(("temp", "gt", "30"), (done.ToFilterText(Now).Field, done.ToFilterText(Now).Op, done.ToFilterText(Now).Value));
        Assert.Equal("messages/export?format=json&field=temp&op=gt&value=30&from=2026-12-07T09%3A45%3A00.000Z",
            (done with { Range = ExplorerRange.Last15Minutes }).ExportUri(ExportFormat.Json, Now));
        Assert.True(typing.HasFilters);
        Assert.False(new ExplorerState(new MessageFilterText(), ExplorerRange.Last7Days).HasFilters);
    }

    [Fact]
    public void A_payload_shows_as_text_only_when_it_is_utf8_without_control_codes_and_as_json_only_when_it_parses()
    {
        Assert.Equal("{\"t\": \"21 °C\"}", PayloadViews.Text("{\"t\": \"21 °C\"}"u8.ToArray()));
        Assert.Null(PayloadViews.Text([0xF8, 0x30]));
        Assert.Null(PayloadViews.Text([0x41, 0x00, 0x42]));
        Assert.Equal("line\r\n\tnext", PayloadViews.Text("line\r\n\tnext"u8.ToArray()));

        Assert.Equal("{\n  \"t\": \"21 °C\",\n  \"n\": [\n    1\n  ]\n}", PayloadViews.PrettyJson("{\"t\":\"21 °C\",\"n\":[1]}"u8.ToArray())!.ReplaceLineEndings("\n"));
        Assert.Null(PayloadViews.PrettyJson("{\"t\": oops}"u8.ToArray()));
        Assert.Null(PayloadViews.PrettyJson([]));
    }

    [Fact]
    public void The_hex_view_has_offsets_sixteen_bytes_a_line_and_printable_ascii_and_stops_at_its_limit()
    {
        byte[] bytes = [.. Enumerable.Range(0x40, 18).Select(b => (byte)b)];
        bytes[1] = 0x00;

        var lines = PayloadViews.HexDump(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("00000000  40 00 42 43 44 45 46 47  48 49 4a 4b 4c 4d 4e 4f  @.BCDEFGHIJKLMNO", lines[0]);
        Assert.Equal("00000010  50 51" + new string(' ', 45) + "PQ", lines[1]);
        var big = PayloadViews.HexDump(new byte[PayloadViews.HexLimit + 100]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(PayloadViews.HexLimit / 16, big.Length);
    }
}
