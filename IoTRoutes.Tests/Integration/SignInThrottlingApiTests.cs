using System.Net;
using System.Net.Http.Json;
using IoTRoutes.Core.Entities;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

/// <summary>Sign-in guessing through the token endpoint on real sockets, from distinct source addresses.</summary>
public sealed class SignInThrottlingApiTests(KestrelApp app) : IClassFixture<KestrelApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task Guessing_from_one_address_locks_only_that_address_out_and_the_owner_still_gets_a_token()
    {
        var (email, password) = await _app.CreateUserAsync(RootEntity.Id);
        using var attacker = SourceAddressClient.Create(_app.BaseAddress, "127.0.0.2");
        using var owner = SourceAddressClient.Create(_app.BaseAddress, "127.0.0.3");

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await RequestTokenAsync(attacker, email, "guess-" + i)).StatusCode);
        }

        var refused = await RequestTokenAsync(attacker, email, password);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromMinutes(15), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("Too many sign-in attempts", (await refused.Content.ReadFromJsonAsync<ProblemBody>())!.Title);

        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(owner, email, password)).StatusCode);
    }

    [Fact]
    public async Task An_unknown_e_mail_address_gets_the_same_answers_as_a_known_one()
    {
        var (email, _) = await _app.CreateUserAsync(RootEntity.Id);
        using var client = SourceAddressClient.Create(_app.BaseAddress, "127.0.0.4");

        var known = new List<string>();
        var unknown = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            known.Add(await DescribeAsync(await RequestTokenAsync(client, email, "guess-" + i)));
            unknown.Add(await DescribeAsync(await RequestTokenAsync(client, "nobody-" + email, "guess-" + i)));
        }

        Assert.Equal(known, unknown);
        Assert.Contains("429", known[^1]);
    }

    private static Task<HttpResponseMessage> RequestTokenAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/v1/auth/token", new { email, password });

    private static async Task<string> DescribeAsync(HttpResponseMessage response)
    {
        var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>())!;
        // The wait to the minute: each lockout counts down from its own last attempt, so two asked a moment apart can
        // straddle a second (14:59 and 15:00) without telling anything about the account.
        var wait = response.Headers.RetryAfter?.Delta is { } delta ? $"{Math.Round(delta.TotalMinutes)} min" : "";
        return $"{(int)response.StatusCode} {wait} {problem.Title} {problem.Detail}";
    }
}
