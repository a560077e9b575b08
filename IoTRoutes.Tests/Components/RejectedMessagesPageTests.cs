using System.Text;
using Bunit;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Web.Components.Pages.Messages;
using MudBlazor;

namespace IoTRoutes.Tests.Components;

public sealed class RejectedMessagesPageTests : PageTestContext
{
    [Fact]
    public void Without_rejected_messages_the_page_says_so_and_hints_where_to_look()
    {
        var cut = Render<RejectedMessages>();

        cut.WaitForAssertion(() => Assert.Contains("No rejected messages in this range", cut.Find("[data-test=empty]").TextContent));
        Assert.Contains("Widen the time range", cut.Markup);
        Assert.True(cut.Find("[data-test=reprocess-all]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Rejected_messages_are_listed_newest_first_with_reason_payload_and_the_top_reasons()
    {
        var device = await CreateDeviceAsync("Kiln");
        await StoreAsync(device, [0xF8, 0x30], "Climate v1: \"humidity\" (u8) needs bytes 2 to 2, the payload has 2");
        await StoreAsync(device, "{oops"u8.ToArray(), "Malformed JSON: bad token");
        await StoreAsync(device, "{again"u8.ToArray(), "Malformed JSON: bad token");
        await StoreMessageAsync(device, """{"fine":1}""");

        var cut = Render<RejectedMessages>();

        cut.WaitForAssertion(() => Assert.Equal(3, Rows(cut).Count));
        Assert.Equal(["{again", "{oops", "F8 30"], cut.FindAll("[data-test=payload]").Select(p => p.TextContent));
        Assert.Contains("hex", Rows(cut)[2].TextContent);
        Assert.Contains("Kiln", Rows(cut)[0].TextContent);
        var reasons = cut.Find("[data-test=top-reasons]").TextContent;
        Assert.Contains("3 rejected", reasons);
        Assert.Contains("Malformed JSON: bad token 2", reasons);
        Assert.Contains("3 of 3 shown", cut.Find("[data-test=shown]").TextContent);
    }

    [Fact]
    public async Task A_reason_reads_as_a_sentence_with_the_parser_text_beneath_it()
    {
        var device = await CreateDeviceAsync("Kiln");
        var payload = """{"temp": 21.5, 7}"""u8.ToArray();
        var decoded = new IoTRoutes.Core.Messaging.Formats.JsonPayloadDecoder().Decode(payload);
        await StoreAsync(device, payload, decoded.Reason!, decoded.Details);

        var cut = Render<RejectedMessages>();

        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));
        Assert.Equal("Not valid JSON at character 16: expected a property name in double quotes.", cut.Find("[data-test=reason]").TextContent.Trim());
        Assert.Equal($"Parser: {decoded.Details}", cut.Find("[data-test=reason-details]").TextContent.Trim());
    }

    [Fact]
    public async Task The_reason_filter_the_quick_ranges_and_a_top_reason_narrow_the_list()
    {
        var device = await CreateDeviceAsync("Filtered");
        await StoreAsync(device, "{old"u8.ToArray(), "Malformed JSON: old one");
        Clock.Advance(TimeSpan.FromHours(2));
        await StoreAsync(device, "{new"u8.ToArray(), "Malformed JSON: new one");
        await StoreAsync(device, [0x01], "Binary v1: too short");
        var cut = Render<RejectedMessages>();
        cut.WaitForAssertion(() => Assert.Equal(3, Rows(cut).Count));

        cut.Find("input[data-test=reason-filter]").Input("JSON");
        Clock.Advance(TimeSpan.FromSeconds(1)); // MudBlazor's typing debounce runs on the registered TimeProvider
        cut.WaitForAssertion(() => Assert.Equal(["{new", "{old"], cut.FindAll("[data-test=payload]").Select(p => p.TextContent)), TimeSpan.FromSeconds(5));

        await cut.InvokeAsync(() => cut.FindAll("[data-test=range] .mud-toggle-item").Single(b => b.TextContent.Contains("Last hour")).Click());
        cut.WaitForAssertion(() => Assert.Equal(["{new"], cut.FindAll("[data-test=payload]").Select(p => p.TextContent)));

        cut.Find("input[data-test=reason-filter]").Input("");
        Clock.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count), TimeSpan.FromSeconds(5));
        await cut.InvokeAsync(() => cut.FindAll("[data-test=top-reasons] .mud-chip").Single(c => c.TextContent.Contains("too short")).Click());
        cut.WaitForAssertion(() => Assert.Equal(["01"], cut.FindAll("[data-test=payload]").Select(p => p.TextContent)));
    }

    [Fact]
    public async Task Reprocessing_the_selected_messages_shows_the_outcome_and_the_messages_page_counts_follow()
    {
        var device = await CreateDeviceAsync("Fixed");
        await StoreAsync(device, """{"now":"valid"}"""u8.ToArray(), "Malformed JSON: was broken");
        await StoreAsync(device, "{still broken"u8.ToArray(), "Malformed JSON: bad token");
        await StoreAsync(device, "{not selected"u8.ToArray(), "Malformed JSON: bad token");
        var stats = Render<MessageStatsPanel>();
        var cut = Render<RejectedMessages>();
        cut.WaitForAssertion(() => Assert.Equal(3, Rows(cut).Count));
        stats.WaitForAssertion(() => Assert.Equal("3", stats.Find("[data-test=stat-rejected]").TextContent.Trim()));

        foreach (var row in new[] { 1, 2 })
        {
            await cut.InvokeAsync(() => Rows(cut)[row].QuerySelector("input[type=checkbox]")!.Change(true));
        }

        cut.WaitForAssertion(() => Assert.Contains("Reprocess selected (2)", cut.Find("[data-test=reprocess-selected]").TextContent));
        await cut.InvokeAsync(() => cut.Find("[data-test=reprocess-selected]").Click());

        cut.WaitForAssertion(() => Assert.Contains("1 now processed, 1 still rejected.", cut.Find("[data-test=outcome]").TextContent));
        cut.WaitForAssertion(() => Assert.Equal(["{not selected", "{still broken"], cut.FindAll("[data-test=payload]").Select(p => p.TextContent)));
        stats.WaitForAssertion(() => Assert.Equal("2", stats.Find("[data-test=stat-rejected]").TextContent.Trim()), TimeSpan.FromSeconds(5));
        Assert.Equal("1", stats.Find("[data-test=stat-processed]").TextContent.Trim());
        Assert.Equal("messages/rejected", stats.Find("[data-test=stat-rejected]").GetAttribute("href"));
    }

    [Fact]
    public async Task Reprocess_all_matching_asks_first_then_runs_the_whole_filter()
    {
        var device = await CreateDeviceAsync("Batch");
        await StoreAsync(device, """{"a":1}"""u8.ToArray(), "Malformed JSON: was broken");
        await StoreAsync(device, """{"b":2}"""u8.ToArray(), "Malformed JSON: was broken");
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<RejectedMessages>();
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count));

        await cut.InvokeAsync(() => cut.Find("[data-test=reprocess-all]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Reprocess 2 rejected message(s)?", dialogs.Markup));
        await dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Reprocess").Click());

        cut.WaitForAssertion(() => Assert.Contains("2 now processed, 0 still rejected.", cut.Find("[data-test=outcome]").TextContent));
        cut.WaitForAssertion(() => Assert.Contains("No rejected messages in this range", cut.Markup));
    }

    private static IReadOnlyList<AngleSharp.Dom.IElement> Rows(IRenderedComponent<RejectedMessages> cut) =>
        cut.FindAll("[data-test=rejected-table] tbody tr");

    /// <summary>Stores a rejected message one second after the previous one, as the intake would have left it.</summary>
    private async Task StoreAsync(CreatedDeviceDto device, byte[] payload, string reason, string? details = null)
    {
        Clock.Advance(TimeSpan.FromSeconds(1));
        await using var db = Db.CreateDbContext();
        db.Messages.Add(new Message
        {
            Id = MessageIds.Next(Clock.GetUtcNow()), DeviceId = device.Id, Topic = $"devices/{device.Key}/up", Payload = payload, PayloadSize = payload.Length,
            ReceivedAt = Clock.GetUtcNow(), State = MessageState.Rejected, RejectionReason = reason, RejectionDetails = details,
            ProcessedAt = Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync();
    }
}
