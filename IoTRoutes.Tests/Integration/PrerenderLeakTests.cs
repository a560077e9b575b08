using System.Net;
using System.Text.RegularExpressions;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Integration;

/// <summary>A page rendered on the server without a circuit (prerendering, a crawler, a monitor) must not stay subscribed.</summary>
public sealed partial class PrerenderLeakTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task Rendering_the_live_pages_without_a_circuit_leaves_no_subscription_behind()
    {
        using var browser = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await browser.GetStringAsync("/account/login");
        var token = Token().Match(form).Groups[1].Value;
        var signIn = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["Input.Email"] = IoTRoutesApp.AdminEmail, ["Input.Password"] = IoTRoutesApp.AdminPassword,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var feed = _app.Services.GetRequiredService<MessageFeed>();
        var before = feed.Subscribers;

        for (var i = 0; i < 3; i++)
        {
            var html = await browser.GetStringAsync("/messages");
            Assert.Contains("Received", html); // the counts panel rendered, so it subscribed while rendering
        }

        await Task.Delay(200);
        Assert.Equal(before, feed.Subscribers);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
