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

    private static List<string> Payloads(IRenderedComponent<Messages> cut) =>
        cut.FindAll("span.payload").Select(e => e.TextContent).ToList();
}
