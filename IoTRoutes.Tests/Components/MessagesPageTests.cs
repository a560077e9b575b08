using Bunit;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Web.Components.Pages.Messages;

namespace IoTRoutes.Tests.Components;

public sealed class MessagesPageTests : PageTestContext
{
    [Fact]
    public void Without_messages_the_page_shows_the_empty_state_and_zero_counts()
    {
        var cut = Render<Messages>();

        cut.WaitForAssertion(() => Assert.Contains("No messages yet", cut.Markup));
        Assert.Equal("0", cut.Find("[data-test=stat-received]").TextContent.Trim());
        Assert.Contains("The chart fills in as messages arrive.", cut.Markup);
    }

    [Fact]
    public async Task Stored_messages_are_listed_with_device_topic_payload_and_state()
    {
        var device = await CreateDeviceAsync("Kiln");
        await StoreMessageAsync(device, """{"temp":812}""", MessageState.Processed);
        await StoreMessageAsync(device, "{oops", MessageState.Rejected, "Malformed JSON: bad token");

        var cut = Render<Messages>();

        cut.WaitForAssertion(() => Assert.Contains("""{"temp":812}""", Payloads(cut)));
        Assert.Contains("Kiln", cut.Markup);
        Assert.Contains($"devices/{device.Key}/telemetry", cut.Markup);
        Assert.Contains("Malformed JSON: bad token", cut.Markup);
        Assert.Equal("2", cut.Find("[data-test=stat-received]").TextContent.Trim());
        Assert.Equal("1", cut.Find("[data-test=stat-processed]").TextContent.Trim());
        Assert.Equal("1", cut.Find("[data-test=stat-rejected]").TextContent.Trim());
        Assert.NotEmpty(cut.FindAll("svg path")); // the donut is drawn
    }

    [Fact]
    public async Task A_new_message_appears_without_reloading_the_page()
    {
        var device = await CreateDeviceAsync("Live one");
        var cut = Render<Messages>();
        cut.WaitForAssertion(() => Assert.Contains("No messages yet", cut.Markup));

        await StoreMessageAsync(device, """{"live":true}""", MessageState.Processed);
        Feed.Publish(new MessagesChanged(new HashSet<Guid> { device.Id }));

        cut.WaitForAssertion(() => Assert.Contains("""{"live":true}""", Payloads(cut)), TimeSpan.FromSeconds(5));
        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("[data-test=stat-processed]").TextContent.Trim()), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_clicked_row_opens_the_drawer_with_the_rejection_its_details_and_the_payload_as_text_and_hex()
    {
        var device = await CreateDeviceAsync("Drawer");
        await StoreMessageAsync(device, "{oops", MessageState.Rejected, "Not valid JSON at character 2: expected a property name in double quotes.");
        await using (var db = Db.CreateDbContext())
        {
            var stored = db.Messages.Single(m => m.DeviceId == device.Id);
            stored.RejectionDetails = "'o' is an invalid start of a property name.";
            await db.SaveChangesAsync();
        }

        var cut = Render<Messages>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr.message-row-clickable")));
        cut.Find("tr.message-row-clickable td").Click();

        cut.WaitForAssertion(() => Assert.Contains("'o' is an invalid start of a property name.", cut.Find("[data-test=detail-rejection-details]").TextContent));
        Assert.Contains("expected a property name", cut.Find("[data-test=detail-rejection]").TextContent);
        Assert.Equal("{oops", cut.Find("[data-test=payload-text]").TextContent); // not JSON: the text tab is the one open
        cut.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "Hex").Click();
        cut.WaitForAssertion(() => Assert.StartsWith("00000000  7b 6f 6f 70 73", cut.Find("[data-test=payload-hex]").TextContent));
        Assert.Contains("None: the message was not decoded.", cut.Find("[data-test=fields-empty]").TextContent);
    }

    [Fact]
    public async Task A_plain_json_message_shows_its_members_as_decoded_fields_and_pretty_json()
    {
        var device = await CreateDeviceAsync("Plain");
        await StoreMessageAsync(device, """{"temp":21.5,"door":"open"}""", MessageState.Processed);

        var cut = Render<Messages>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr.message-row-clickable")));
        cut.Find("tr.message-row-clickable td").Click();

        cut.WaitForAssertion(() => Assert.Contains("temp", cut.Find("[data-test=detail-fields]").TextContent));
        Assert.Contains("\"open\"", cut.Find("[data-test=detail-fields]").TextContent);
        Assert.Equal("{\n  \"temp\": 21.5,\n  \"door\": \"open\"\n}", cut.Find("[data-test=payload-json]").TextContent.ReplaceLineEndings("\n"));
        Assert.Contains("read as plain JSON", cut.Find("[data-test=detail-format]").TextContent);
    }

    [Fact]
    public async Task Reading_an_older_page_pauses_the_live_view_until_the_operator_goes_back_to_the_newest()
    {
        var device = await CreateDeviceAsync("Pager");
        for (var i = 0; i < 51; i++)
        {
            await StoreMessageAsync(device, $$"""{"n":{{i}}}""", MessageState.Processed);
        }

        var cut = Render<Messages>();
        cut.WaitForAssertion(() => Assert.Equal(50, cut.FindAll("tr.message-row-clickable").Count));
        cut.Find("[data-test=older]").Click();
        cut.WaitForAssertion(() => Assert.Contains("older pages", cut.Find("[data-test=paused]").TextContent));
        Assert.Contains("""{"n":0}""", Payloads(cut));

        await StoreMessageAsync(device, """{"n":"new"}""", MessageState.Processed);
        Feed.Publish(new MessagesChanged(new HashSet<Guid> { device.Id }));
        cut.WaitForAssertion(() => Assert.Equal("52", cut.Find("[data-test=stat-processed]").TextContent.Trim()), TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("""{"n":"new"}""", Payloads(cut));

        cut.Find("[data-test=resume]").Click();
        cut.WaitForAssertion(() => Assert.Contains("""{"n":"new"}""", Payloads(cut)), TimeSpan.FromSeconds(5));
        Assert.NotNull(cut.Find("[data-test=live]"));
    }

    private static List<string> Payloads(IRenderedComponent<Messages> cut) =>
        cut.FindAll("span.payload").Select(e => e.TextContent).ToList();
}
