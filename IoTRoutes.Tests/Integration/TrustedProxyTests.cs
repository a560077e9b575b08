using System.Net;
using System.Net.Http.Json;
using IoTRoutes.Core.Entities;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Tests.Integration;

/// <summary>Behind a trusted reverse proxy, sign-in is throttled and audited by the client's forwarded address.</summary>
public sealed class TrustedProxyTests(ProxiedApp app) : IClassFixture<ProxiedApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task Clients_behind_one_proxy_are_counted_by_their_forwarded_address()
    {
        var (email, password) = await _app.CreateUserAsync(RootEntity.Id);
        using var proxy = new HttpClient { BaseAddress = new Uri(_app.BaseAddress) };

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(proxy, "198.51.100.66", email, "guess-" + i)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync(proxy, "198.51.100.66", email, password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(proxy, "198.51.100.77", email, password)).StatusCode);
        await using var db = await _app.CreateDbContextAsync();
        Assert.Contains(await db.AuditEntries.Where(e => e.UserEmail == email).Select(e => e.From).ToListAsync(), from => from == "198.51.100.77");
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string forwardedFor, string email, string password) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/token")
        {
            Content = JsonContent.Create(new { email, password }),
            Headers = { { "X-Forwarded-For", forwardedFor } },
        });
}
