using Bunit;
using IoTRoutes.Core.Media.Intake;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Tests.Core.Media;
using IoTRoutes.Web.Components.Pages.Devices;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace IoTRoutes.Tests.Components;

public sealed class DeviceMediaTests : PageTestContext
{
    [Fact]
    public async Task Without_media_the_card_says_where_to_send_them_and_a_new_picture_appears_with_its_thumbnail()
    {
        var device = await CreateDeviceAsync("Porch camera");
        var cut = Render<DeviceMedia>(p => p.Add(x => x.DeviceId, device.Id).Add(x => x.DeviceKey, device.Key));
        cut.WaitForAssertion(() => Assert.Contains($"devices/{device.Key}/media/snapshot.jpg", cut.Find("[data-test=media-empty]").TextContent));

        var media = Services.GetRequiredService<MediaArrivals>();
        var photo = TestImages.Solid(64, 48, SKColors.Gray);
        var picture = await media.PrepareAsync(device.Id, "porch.png", null, new MemoryStream(photo), photo, default);
        var wav = new TestWave().Write(0.2, (t, _) => TestWave.Sine(t, 0.3));
        var recording = await media.PrepareAsync(device.Id, "doorbell.wav", "audio/wav", new MemoryStream(wav), wav, default);
        Services.GetRequiredService<MessageFeed>().Publish(new MessagesChanged(new HashSet<Guid> { device.Id }));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-test=media-item]").Count));
        var thumbnail = Assert.Single(cut.FindAll("[data-test=media-thumbnail]"));
        Assert.Equal($"files/{picture.File!.Id}/thumbnail", thumbnail.GetAttribute("src"));
        Assert.Contains("doorbell.wav", cut.Markup);
        Assert.Contains($"files/{recording.File!.Id}/download", cut.Markup);
    }
}
