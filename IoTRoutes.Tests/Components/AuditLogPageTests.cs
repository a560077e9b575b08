using Bunit;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Web.Components.Pages.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Components;

public sealed class AuditLogPageTests : PageTestContext
{
    [Fact]
    public void Without_entries_the_page_says_nothing_was_recorded()
    {
        var cut = Render<AuditLog>();
        cut.WaitForAssertion(() => Assert.Contains("Nothing recorded for these filters.", cut.Markup));
    }

    [Fact]
    public async Task Entries_are_listed_newest_first_with_user_action_and_origin()
    {
        var trail = Services.GetRequiredService<AuditTrail>();
        await trail.RecordSignInAsync(AuditActions.SignInFailed, "someone@example.com", null, RootEntity.Id, "10.1.2.3", default);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await trail.RecordSignInAsync(AuditActions.SignInSucceeded, "admin@test.local", null, RootEntity.Id, "127.0.0.1", default);

        var cut = Render<AuditLog>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-test=audit-table] tbody tr").Count));
        var rows = cut.FindAll("[data-test=audit-table] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains("SignIn.Succeeded", rows[0]);
        Assert.Contains("someone@example.com", rows[1]);
        Assert.Contains("10.1.2.3", rows[1]);
        Assert.Equal("audit/export.csv", cut.Find("[data-test=export-csv]").GetAttribute("href"));
    }
}
