using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Communicators.Http;

public sealed class HttpCommunicatorTests : IDisposable
{
    private static readonly HttpResilienceOptions Fast = new()
    {
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MinimumThroughput = 4,
        BreakDuration = TimeSpan.FromSeconds(30),
    };

    private readonly FakeTimeProvider _tokenClock = new(DateTimeOffset.UtcNow);
    private readonly HttpCommunicatorClients _clients;
    private readonly HttpCommunicator _communicator;
    private readonly Guid _id = Guid.NewGuid();

    public HttpCommunicatorTests()
    {
        _clients = new HttpCommunicatorClients(Fast, TimeProvider.System) { TokenClock = _tokenClock };
        _communicator = new HttpCommunicator(_clients, Fast);
    }

    public void Dispose() => _clients.Dispose();

    [Fact]
    public async Task A_call_goes_under_the_base_path_with_the_settings_and_call_headers_and_returns_the_answer()
    {
        await using var server = await TestHttpServer.StartAsync(app => app.Map("/api/v1/devices/7", async context =>
        {
            context.Response.Headers["X-Seen"] = $"{context.Request.Method} {context.Request.QueryString} {context.Request.Headers["X-Tenant"]} {context.Request.Headers["X-Call"]}";
            context.Response.ContentType = "application/json; charset=utf-8";
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            await context.Response.WriteAsync($"{{\"got\":{body},\"type\":\"{context.Request.ContentType}\"}}");
        }));
        var settings = new HttpSettings { BaseUrl = server.BaseUrl + "/api/v1/", Headers = new Dictionary<string, string> { ["X-Tenant"] = "north" } };

        var result = await _communicator.SendAsync(_id, settings, new HttpSecrets(), new HttpCall
        {
            Method = "put", Path = "/devices/7?full=1", Body = "{\"t\":21.5}", Headers = new Dictionary<string, string> { ["X-Call"] = "yes" },
        }, CancellationToken.None);

        Assert.Equal(200, result.Status);
        Assert.Equal("PUT ?full=1 north yes", result.Headers["x-seen"].Single());
        Assert.Equal("{\"got\":{\"t\":21.5},\"type\":\"application/json; charset=utf-8\"}", result.Body);
        Assert.False(result.BodyTruncated);
        Assert.Equal(1, result.Attempts);
    }

    [Fact]
    public async Task Transient_failures_are_retried_with_the_same_idempotency_key_on_every_attempt()
    {
        var keys = new ConcurrentQueue<string>();
        await using var server = await TestHttpServer.StartAsync(app => app.MapPost("/orders", context =>
        {
            keys.Enqueue(context.Request.Headers["Idempotency-Key"].ToString());
            context.Response.StatusCode = keys.Count <= 2 ? 500 : 201;
            return Task.CompletedTask;
        }));
        var settings = new HttpSettings { BaseUrl = server.BaseUrl, IdempotencyKeyHeader = "Idempotency-Key" };

        var result = await _communicator.SendAsync(_id, settings, new HttpSecrets(),
            new HttpCall { Method = "POST", Path = "orders", Body = "{}", IdempotencyKey = "0f3c/node-7" }, CancellationToken.None);

        Assert.Equal(201, result.Status);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(["0f3c/node-7", "0f3c/node-7", "0f3c/node-7"], keys);
    }

    [Fact]
    public async Task A_post_without_an_idempotency_header_is_not_retried()
    {
        await using var server = await TestHttpServer.StartAsync(app => app.MapPost("/orders", context =>
        {
            context.Response.StatusCode = 503;
            return context.Response.WriteAsync("maintenance");
        }));

        var e = await Assert.ThrowsAsync<CommunicatorException>(() => _communicator.SendAsync(_id, new HttpSettings { BaseUrl = server.BaseUrl },
            new HttpSecrets(), new HttpCall { Method = "POST", Path = "orders", Body = "{}" }, CancellationToken.None));

        Assert.Equal(ConnectionFailure.Unavailable, e.Failure);
        Assert.Equal($"{new Uri(server.BaseUrl).Authority} answered 503 Service Unavailable: maintenance", e.Message);
        Assert.Equal(1, server.RequestsTo("/orders"));
    }

    [Fact]
    public async Task A_429_is_retried_after_the_wait_its_retry_after_asks_for()
    {
        var calls = 0;
        await using var server = await TestHttpServer.StartAsync(app => app.MapGet("/busy", context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "1";
            }

            return Task.CompletedTask;
        }));
        var watch = Stopwatch.StartNew();

        var result = await _communicator.SendAsync(_id, new HttpSettings { BaseUrl = server.BaseUrl }, new HttpSecrets(), new HttpCall { Path = "busy" }, CancellationToken.None);

        Assert.Equal(200, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_retry_after_longer_than_the_limit_fails_at_once()
    {
        await using var server = await TestHttpServer.StartAsync(app => app.MapGet("/busy", context =>
        {
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "3600";
            return Task.CompletedTask;
        }));

        var e = await Assert.ThrowsAsync<CommunicatorException>(() =>
            _communicator.SendAsync(_id, new HttpSettings { BaseUrl = server.BaseUrl }, new HttpSecrets(), new HttpCall { Path = "busy" }, CancellationToken.None));

        Assert.Equal(ConnectionFailure.Unavailable, e.Failure);
        Assert.Contains("429", e.Message);
        Assert.Equal(1, server.RequestsTo("/busy"));
    }

    [Fact]
    public async Task After_repeated_failures_the_circuit_opens_and_calls_fail_without_reaching_the_target()
    {
        await using var server = await TestHttpServer.StartAsync(app => app.MapGet("/down", context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        }));
        var settings = new HttpSettings { BaseUrl = server.BaseUrl, Retries = 1 };
        var call = new HttpCall { Path = "down" };

        for (var i = 0; i < 2; i++)
        {
            var failed = await Assert.ThrowsAsync<CommunicatorException>(() => _communicator.SendAsync(_id, settings, new HttpSecrets(), call, CancellationToken.None));
            Assert.Equal(ConnectionFailure.Unavailable, failed.Failure);
        }

        Assert.Equal(4, server.RequestsTo("/down"));
        var e = await Assert.ThrowsAsync<CommunicatorException>(() => _communicator.SendAsync(_id, settings, new HttpSecrets(), call, CancellationToken.None));
        Assert.Equal(ConnectionFailure.Unavailable, e.Failure);
        Assert.Matches(@"failed too often: calls to it are refused until \d\d:\d\d:\d\d UTC \(circuit open\)\.$", e.Message);
        Assert.Equal(4, server.RequestsTo("/down"));

        // Another communicator to the same target has a circuit of its own.
        await Assert.ThrowsAsync<CommunicatorException>(() => _communicator.SendAsync(Guid.NewGuid(), settings, new HttpSecrets(), call, CancellationToken.None));
        Assert.Equal(6, server.RequestsTo("/down"));
    }

    [Fact]
    public async Task An_answer_slower_than_the_timeout_fails_as_a_timeout()
    {
        await using var server = await TestHttpServer.StartAsync(app => app.MapGet("/slow", async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted);
        }));
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<CommunicatorException>(() => _communicator.SendAsync(_id,
            new HttpSettings { BaseUrl = server.BaseUrl, TimeoutSeconds = 1, Retries = 0 }, new HttpSecrets(), new HttpCall { Path = "slow" }, CancellationToken.None));

        Assert.Equal(ConnectionFailure.Timeout, e.Failure);
        Assert.Equal($"{new Uri(server.BaseUrl).Authority} did not answer within 1 s.", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_closed_port_fails_as_refused()
    {
        var port = Infrastructure.FreePort.Next();

        var e = await Assert.ThrowsAsync<CommunicatorException>(() => _communicator.SendAsync(_id,
            new HttpSettings { BaseUrl = $"http://127.0.0.1:{port}", Retries = 0 }, new HttpSecrets(), new HttpCall(), CancellationToken.None));

        Assert.Equal(ConnectionFailure.Refused, e.Failure);
        Assert.Contains($"127.0.0.1:{port} refused the connection", e.Message);
    }

    [Theory]
    [InlineData(HttpAuthenticationType.Basic)]
    [InlineData(HttpAuthenticationType.Bearer)]
    [InlineData(HttpAuthenticationType.ApiKey)]
    public async Task Each_kind_of_credentials_is_sent_and_a_wrong_one_fails_as_credentials_without_the_secret(HttpAuthenticationType type)
    {
        // The server quotes what it received in its refusals, as some do: the message must still hold no secret.
        await using var server = await TestHttpServer.StartAsync(app => app.MapGet("/me", context =>
        {
            var sent = $"{context.Request.Headers.Authorization} {context.Request.Headers["X-Device-Key"]}".Trim();
            var expected = type switch
            {
                HttpAuthenticationType.Basic => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("svc:right-pässword")),
                HttpAuthenticationType.Bearer => "Bearer right-token-123",
                _ => "right-key-456",
            };
            context.Response.StatusCode = sent == expected ? 200 : 401;
            return context.Response.WriteAsync($"you sent: {sent}");
        }));
        var settings = new HttpSettings
        {
            BaseUrl = server.BaseUrl,
            Authentication = new HttpAuthentication { Type = type, Username = "svc", HeaderName = "X-Device-Key" },
        };

        Assert.Equal(200, (await _communicator.SendAsync(_id, settings, Secrets(type, "right"), new HttpCall { Path = "me" }, CancellationToken.None)).Status);

        var wrong = Secrets(type, "wrong");
        var e = await Assert.ThrowsAsync<CommunicatorException>(() => _communicator.SendAsync(_id, settings, wrong, new HttpCall { Path = "me" }, CancellationToken.None));
        Assert.Equal(ConnectionFailure.Credentials, e.Failure);
        Assert.StartsWith($"{new Uri(server.BaseUrl).Authority} answered 401 Unauthorized: you sent:", e.Message);
        AssertHoldsNoSecret(e.Message, wrong, settings);
        var test = await _communicator.TestAsync(settings with { BaseUrl = server.BaseUrl + "/me" }, wrong, CancellationToken.None);
        Assert.Equal(ConnectionFailure.Credentials, test.Failure);
        AssertHoldsNoSecret(test.Error, wrong, settings);
    }

    [Fact]
    public async Task An_oauth2_token_is_fetched_once_for_many_calls_renewed_when_it_expires_and_when_refused()
    {
        var issued = 0;
        var valid = new ConcurrentDictionary<string, bool>();
        await using var server = await TestHttpServer.StartAsync(app =>
        {
            app.MapPost("/oauth/token", async context =>
            {
                var form = await context.Request.ReadFormAsync();
                // RFC 6749 2.3.1: id and secret form-encoded, then Basic.
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(context.Request.Headers.Authorization.ToString()["Basic ".Length..])).Split(':');
                var client = pair is [var id, var secret] && Uri.UnescapeDataString(id) == "gateway" && Uri.UnescapeDataString(secret) == "s3cret%/";
                if (!client || form["grant_type"] != "client_credentials" || form["scope"] != "telemetry.write")
                {
                    context.Response.StatusCode = 401;
                    await context.Response.WriteAsJsonAsync(new { error = "invalid_client" });
                    return;
                }

                var token = $"token-{Interlocked.Increment(ref issued)}";
                valid[token] = true;
                await context.Response.WriteAsJsonAsync(new { access_token = token, token_type = "Bearer", expires_in = 3600 });
            });
            app.MapGet("/data", context =>
            {
                var token = context.Request.Headers.Authorization.ToString().Replace("Bearer ", "");
                context.Response.StatusCode = valid.ContainsKey(token) ? 200 : 401;
                return context.Response.WriteAsync(token);
            });
        });
        var settings = new HttpSettings
        {
            BaseUrl = server.BaseUrl,
            Authentication = new HttpAuthentication
            {
                Type = HttpAuthenticationType.OAuth2ClientCredentials, TokenUrl = server.BaseUrl + "/oauth/token", ClientId = "gateway", Scope = "telemetry.write",
            },
        };
        var secrets = new HttpSecrets { ClientSecret = "s3cret%/" };
        async Task<string> Call() => (await _communicator.SendAsync(_id, settings, secrets, new HttpCall { Path = "data" }, CancellationToken.None)).Body;

        Assert.Equal(["token-1", "token-1", "token-1"], [await Call(), await Call(), await Call()]);
        Assert.Equal(1, server.RequestsTo("/oauth/token"));

        _tokenClock.Advance(TimeSpan.FromSeconds(3600 - 20)); // within the margin before expiry
        Assert.Equal("token-2", await Call());

        valid.Clear(); // the API forgets its tokens: one 401, a new token, the call again
        Assert.Equal("token-3", await Call());
        Assert.Equal(3, server.RequestsTo("/oauth/token"));

        var wrong = new HttpSecrets { ClientSecret = "not-the-secret" };
        var e = await Assert.ThrowsAsync<CommunicatorException>(() => _communicator.SendAsync(_id, settings, wrong, new HttpCall { Path = "data" }, CancellationToken.None));
        Assert.Equal(ConnectionFailure.Credentials, e.Failure);
        Assert.Equal($"the token endpoint 127.0.0.1:{new Uri(server.BaseUrl).Port} refused the client id or secret (401, invalid_client).", e.Message);
        AssertHoldsNoSecret(e.Message, wrong, settings);
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_as_tls_and_is_accepted_with_its_ca_or_its_pin()
    {
        using var certificates = TestCertificates.Create();
        using var other = TestCertificates.Create("Other");
        await using var server = await TestHttpServer.StartAsync(app => app.MapGet("/", () => "hello"), certificates.Server);
        var settings = new HttpSettings { BaseUrl = server.BaseUrl, Retries = 0 };

        var untrusted = await Assert.ThrowsAsync<CommunicatorException>(() => _communicator.SendAsync(_id, settings, new HttpSecrets(), new HttpCall(), CancellationToken.None));
        Assert.Equal(ConnectionFailure.Tls, untrusted.Failure);
        Assert.Contains("failed: its certificate is not trusted (", untrusted.Message);

        var withCa = settings with { CaCertificatePem = certificates.AuthorityPem };
        Assert.Equal("hello", (await _communicator.SendAsync(_id, withCa, new HttpSecrets(), new HttpCall(), CancellationToken.None)).Body);
        var pinned = settings with { AcceptCertificateSha256 = string.Join(':', certificates.ServerSha256.Chunk(2).Select(c => new string(c))) };
        Assert.Equal("hello", (await _communicator.SendAsync(_id, pinned, new HttpSecrets(), new HttpCall(), CancellationToken.None)).Body);

        var otherCa = await Assert.ThrowsAsync<CommunicatorException>(() =>
            _communicator.SendAsync(_id, settings with { CaCertificatePem = other.AuthorityPem }, new HttpSecrets(), new HttpCall(), CancellationToken.None));
        Assert.Equal(ConnectionFailure.Tls, otherCa.Failure);
        Assert.Contains("not signed by the given CA", otherCa.Message);
        var wrongPin = await Assert.ThrowsAsync<CommunicatorException>(() =>
            _communicator.SendAsync(_id, settings with { AcceptCertificateSha256 = other.ServerSha256 }, new HttpSecrets(), new HttpCall(), CancellationToken.None));
        Assert.Contains("is not the pinned one", wrongPin.Message);
    }

    [Fact]
    public async Task A_server_requiring_a_client_certificate_takes_the_uploaded_pfx_and_refuses_a_call_without_it()
    {
        using var certificates = TestCertificates.Create();
        await using var server = await TestHttpServer.StartAsync(
            app => app.MapGet("/", (HttpContext context) => context.Connection.ClientCertificate?.Subject ?? "none"), certificates.Server, certificates.Authority);
        var settings = new HttpSettings { BaseUrl = server.BaseUrl, CaCertificatePem = certificates.AuthorityPem, Retries = 0 };
        var secrets = new HttpSecrets { ClientCertificatePfxBase64 = certificates.ClientPfxBase64("pfx-pass"), ClientCertificatePassword = "pfx-pass" };

        var result = await _communicator.SendAsync(_id, settings, secrets, new HttpCall(), CancellationToken.None);
        Assert.Equal("CN=iotroutes-client", result.Body);

        var e = await Assert.ThrowsAsync<CommunicatorException>(() => _communicator.SendAsync(Guid.NewGuid(), settings, new HttpSecrets(), new HttpCall(), CancellationToken.None));
        Assert.True(e.Failure == ConnectionFailure.Tls, e.Message + " / " + e.InnerException);
        AssertHoldsNoSecret(e.Message, secrets, settings);
    }

    [Fact]
    public async Task A_body_beyond_the_limit_is_cut_and_said_to_be()
    {
        var options = new HttpResilienceOptions { MaxResponseBytes = 1000 };
        using var clients = new HttpCommunicatorClients(options, TimeProvider.System);
        await using var server = await TestHttpServer.StartAsync(app => app.MapGet("/big", () => new string('x', 5000)));

        var result = await new HttpCommunicator(clients, options).SendAsync(_id, new HttpSettings { BaseUrl = server.BaseUrl }, new HttpSecrets(),
            new HttpCall { Path = "big" }, CancellationToken.None);

        Assert.Equal(1000, result.Body.Length);
        Assert.True(result.BodyTruncated);
    }

    [Theory]
    [InlineData("http://elsewhere.example/x", "not to the communicator's")]
    [InlineData("../admin", "leads out of the base URL's path /api/")]
    [InlineData("a/%2e%2e/../../admin", "leads out of the base URL's path /api/")]
    public async Task A_call_outside_the_base_url_is_refused_before_anything_is_sent(string path, string expected)
    {
        await using var server = await TestHttpServer.StartAsync(app => app.MapGet("/admin", () => "secret area"));

        var e = await Assert.ThrowsAsync<CommunicatorException>(() => _communicator.SendAsync(_id, new HttpSettings { BaseUrl = server.BaseUrl + "/api/" },
            new HttpSecrets(), new HttpCall { Path = path }, CancellationToken.None));

        Assert.Contains(expected, e.Message);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_connection_test_takes_any_answer_below_500_but_401_and_403_and_never_throws()
    {
        await using var server = await TestHttpServer.StartAsync(app => app.MapGet("/locked", context =>
        {
            context.Response.StatusCode = 403;
            return Task.CompletedTask;
        }));

        var reachable = await _communicator.TestAsync(new HttpSettings { BaseUrl = server.BaseUrl + "/api" }, new HttpSecrets(), CancellationToken.None);
        var locked = await _communicator.TestAsync(new HttpSettings { BaseUrl = server.BaseUrl + "/locked" }, new HttpSecrets(), CancellationToken.None);
        var refused = await _communicator.TestAsync(new HttpSettings { BaseUrl = $"http://127.0.0.1:{Infrastructure.FreePort.Next()}" }, new HttpSecrets(), CancellationToken.None);
        var invalid = await _communicator.TestAsync(new HttpSettings { BaseUrl = "ftp://x" }, new HttpSecrets(), CancellationToken.None);

        Assert.True(reachable.Succeeded, reachable.Error); // a 404 at the root
        Assert.Equal((false, ConnectionFailure.Credentials), (locked.Succeeded, locked.Failure));
        Assert.Equal((false, ConnectionFailure.Refused), (refused.Succeeded, refused.Failure));
        Assert.Equal("The HTTP communicator's settings are not valid: baseUrl: The base URL must be an absolute http:// or https:// URL.", invalid.Error);
    }

    [Fact]
    public async Task Changed_settings_get_a_new_client_and_the_old_one_is_disposed_after_its_last_call()
    {
        await using var server = await TestHttpServer.StartAsync(_ => { });
        var settings = new HttpSettings { BaseUrl = server.BaseUrl };

        var first = _clients.Rent(_id, settings, new HttpSecrets());
        using (var again = _clients.Rent(_id, settings with { Headers = new Dictionary<string, string>() }, new HttpSecrets()))
            Assert.Same(first.Client, again.Client);
        using var changed = _clients.Rent(_id, settings, new HttpSecrets { Token = "t" });

        Assert.NotSame(first.Client, changed.Client);
        using (var response = await first.Client.Http.GetAsync(server.BaseUrl)) // still usable while rented
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        first.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => first.Client.Http.GetAsync(server.BaseUrl));
    }

    private static HttpSecrets Secrets(HttpAuthenticationType type, string prefix) => type switch
    {
        HttpAuthenticationType.Basic => new HttpSecrets { Password = prefix + "-pässword" },
        HttpAuthenticationType.Bearer => new HttpSecrets { Token = prefix + "-token-123" },
        _ => new HttpSecrets { ApiKey = prefix + "-key-456" },
    };

    private static void AssertHoldsNoSecret(string? text, HttpSecrets secrets, HttpSettings settings)
    {
        Assert.NotNull(text);
        foreach (var secret in new[] { secrets.Password, secrets.Token, secrets.ApiKey, secrets.ClientSecret, secrets.ClientCertificatePassword })
        {
            if (!string.IsNullOrEmpty(secret)) Assert.DoesNotContain(secret, text);
        }

        if (secrets.Password is not null)
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.Authentication.Username}:{secrets.Password}")), text);
    }
}
