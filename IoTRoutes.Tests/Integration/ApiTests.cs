using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Integration;

/// <summary>The REST API's contract: tokens, validation and problem details on every error.</summary>
public sealed class ApiTests : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app;

    public ApiTests(SqliteApp app) => _app = app.Started();

    [Fact]
    public async Task A_token_is_issued_for_the_administrator_and_opens_the_api()
    {
        using var client = _app.CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = IoTRoutesApp.AdminEmail, password = IoTRoutesApp.AdminPassword });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<IoTRoutesApp.TokenBody>())!;
        Assert.Equal(10 * 60, token.ExpiresIn);
        Assert.False(string.IsNullOrEmpty(token.RefreshToken));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/devices")).StatusCode);
    }

    [Fact]
    public async Task E_mail_is_case_insensitive_at_sign_in()
    {
        using var client = _app.CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = IoTRoutesApp.AdminEmail.ToUpperInvariant(), password = IoTRoutesApp.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_gets_401_problem_details()
    {
        using var client = _app.CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = IoTRoutesApp.AdminEmail, password = "wrong-password" });

        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Invalid credentials", problem.Title);
    }

    [Fact]
    public async Task A_token_request_without_fields_gets_a_validation_problem()
    {
        using var client = _app.CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("email", problem.Errors!.Keys);
        Assert.Contains("password", problem.Errors!.Keys);
    }

    [Fact]
    public async Task Malformed_json_bodies_get_400_problem_details()
    {
        using var client = await _app.CreateAuthenticatedClientAsync();
        var response = await client.PostAsync("/api/v1/devices", new StringContent("{\"name\":", Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_refresh_token_gives_a_new_pair_once_and_then_stops_working()
    {
        using var client = _app.CreateClient();
        var first = (await (await client.PostAsJsonAsync("/api/v1/auth/token",
            new { email = IoTRoutesApp.AdminEmail, password = IoTRoutesApp.AdminPassword })).Content.ReadFromJsonAsync<IoTRoutesApp.TokenBody>())!;

        var refreshed = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken });
        var replayed = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken });

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var second = (await refreshed.Content.ReadFromJsonAsync<IoTRoutesApp.TokenBody>())!;
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        var problem = await AssertProblemAsync(replayed, HttpStatusCode.Unauthorized);
        Assert.Equal("Invalid refresh token", problem.Title);
    }

    [Fact]
    public async Task Reusing_a_spent_refresh_token_ends_the_whole_sign_in()
    {
        using var client = _app.CreateClient();
        var first = (await (await client.PostAsJsonAsync("/api/v1/auth/token",
            new { email = IoTRoutesApp.AdminEmail, password = IoTRoutesApp.AdminPassword })).Content.ReadFromJsonAsync<IoTRoutesApp.TokenBody>())!;
        var second = (await (await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken })).Content.ReadFromJsonAsync<IoTRoutesApp.TokenBody>())!;

        var replay = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken });
        var afterReplay = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = second.RefreshToken });

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterReplay.StatusCode); // the legitimate newer token died with it
    }

    [Fact]
    public async Task A_revoked_refresh_token_no_longer_refreshes()
    {
        using var client = _app.CreateClient();
        var pair = (await (await client.PostAsJsonAsync("/api/v1/auth/token",
            new { email = IoTRoutesApp.AdminEmail, password = IoTRoutesApp.AdminPassword })).Content.ReadFromJsonAsync<IoTRoutesApp.TokenBody>())!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", pair.AccessToken);

        var revoked = await client.PostAsJsonAsync("/api/v1/auth/revoke", new { refreshToken = pair.RefreshToken });
        var unknown = await client.PostAsJsonAsync("/api/v1/auth/revoke", new { refreshToken = "no-such-token" });
        var refresh = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = pair.RefreshToken });

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, unknown.StatusCode);
        await AssertProblemAsync(refresh, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_api_without_a_token_answers_401_problem_details_not_a_login_redirect()
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false });

        var response = await client.GetAsync("/api/v1/devices");

        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("bearer token", problem.Detail);
    }

    [Fact]
    public async Task An_expired_access_token_is_refused_with_a_hint_to_refresh()
    {
        var key = _app.Services.GetRequiredService<IoTRoutes.Core.Security.SigningKeyProvider>().Key;
        var past = DateTime.UtcNow.AddHours(-1);
        var expired = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "IoTRoutes", Audience = "IoTRoutes.Api", IssuedAt = past, NotBefore = past, Expires = past.AddMinutes(10),
            Claims = new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString() },
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(key, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
        });
        using var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", expired);

        var problem = await AssertProblemAsync(await client.GetAsync("/api/v1/devices"), HttpStatusCode.Unauthorized);

        Assert.Equal("The access token has expired; use POST /api/v1/auth/refresh.", problem.Detail);
    }

    [Fact]
    public async Task A_forged_token_is_refused()
    {
        using var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXRoYXQtaXMtbm90LXZhbGlk");

        var problem = await AssertProblemAsync(await client.GetAsync("/api/v1/devices"), HttpStatusCode.Unauthorized);
        Assert.Equal("The access token is not valid.", problem.Detail);
    }

    [Fact]
    public async Task Creating_a_device_returns_201_with_its_key_and_secret_once()
    {
        using var client = await _app.CreateAuthenticatedClientAsync();

        var response = await client.PostAsJsonAsync("/api/v1/devices", new { name = "  Greenhouse 1  " });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
        Assert.Equal($"/api/v1/devices/{created.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal("Greenhouse 1", created.Name);
        Assert.Matches("^[a-z0-9]{12}$", created.Key);
        Assert.True(created.Secret.Length >= 40);

        var listed = await client.GetStringAsync("/api/v1/devices");
        var read = await client.GetStringAsync($"/api/v1/devices/{created.Id}");
        Assert.Contains(created.Key, listed);
        Assert.DoesNotContain(created.Secret, listed);
        Assert.DoesNotContain(created.Secret, read);
        await using var db = await _app.CreateDbContextAsync();
        Assert.DoesNotContain(db.Devices, d => d.SecretHash.Contains(created.Secret));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public async Task A_device_without_a_name_gets_a_validation_problem(string? name)
    {
        using var client = await _app.CreateAuthenticatedClientAsync();

        var problem = await AssertProblemAsync(await client.PostAsJsonAsync("/api/v1/devices", new { name }), HttpStatusCode.BadRequest);

        Assert.Equal(["Give the device a name."], problem.Errors!["name"]);
    }

    [Fact]
    public async Task A_device_name_over_100_characters_gets_a_validation_problem()
    {
        using var client = await _app.CreateAuthenticatedClientAsync();

        var problem = await AssertProblemAsync(await client.PostAsJsonAsync("/api/v1/devices", new { name = new string('n', 101) }), HttpStatusCode.BadRequest);

        Assert.Contains("at most 100", problem.Errors!["name"][0]);
    }

    [Fact]
    public async Task An_unknown_device_gets_404_problem_details()
    {
        using var client = await _app.CreateAuthenticatedClientAsync();
        var id = Guid.NewGuid();

        var device = await AssertProblemAsync(await client.GetAsync($"/api/v1/devices/{id}"), HttpStatusCode.NotFound);
        var messages = await AssertProblemAsync(await client.GetAsync($"/api/v1/devices/{id}/messages"), HttpStatusCode.NotFound);

        Assert.Equal($"There is no device {id}.", device.Detail);
        Assert.Equal($"There is no device {id}.", messages.Detail);
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1001", "limit")]
    [InlineData("?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    public async Task An_invalid_message_query_gets_a_validation_problem(string query, string field)
    {
        using var client = await _app.CreateAuthenticatedClientAsync();
        var created = (await (await client.PostAsJsonAsync("/api/v1/devices", new { name = "Queried" })).Content.ReadFromJsonAsync<CreatedDeviceBody>())!;

        var problem = await AssertProblemAsync(await client.GetAsync($"/api/v1/devices/{created.Id}/messages{query}"), HttpStatusCode.BadRequest);

        Assert.Contains(field, problem.Errors!.Keys);
    }

    [Fact]
    public async Task A_query_value_that_is_not_a_date_gets_400_problem_details()
    {
        using var client = await _app.CreateAuthenticatedClientAsync();
        var created = (await (await client.PostAsJsonAsync("/api/v1/devices", new { name = "Dated" })).Content.ReadFromJsonAsync<CreatedDeviceBody>())!;

        await AssertProblemAsync(await client.GetAsync($"/api/v1/devices/{created.Id}/messages?from=yesterday"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_unknown_api_route_gets_404_problem_details()
    {
        using var client = await _app.CreateAuthenticatedClientAsync();
        await AssertProblemAsync(await client.GetAsync("/api/v1/nothing-here"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Health_is_200_when_the_database_and_the_broker_are_up()
    {
        using var client = _app.CreateClient();

        var response = await client.GetAsync("/health");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"database\":{\"status\":\"Healthy\"", body);
        Assert.Contains("\"brokers\":{\"status\":\"Healthy\"", body);
    }

    [Fact]
    public async Task The_openapi_document_and_the_reference_page_are_served()
    {
        using var client = _app.CreateClient();

        var document = await client.GetStringAsync("/openapi/v1.json");
        var page = await client.GetAsync("/api-reference");

        Assert.Contains("/api/v1/devices/{id}/messages", document);
        Assert.Contains("/api/v1/auth/token", document);
        Assert.Contains("\"bearer\"", document);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Theory]
    [InlineData("application/json; charset=bogus")]
    [InlineData("application/json; charset=utf-7")]
    [InlineData("application/json; charset=")]
    [InlineData("application/json; charset=\"\"")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=utf8")]
    public async Task A_json_body_in_a_charset_other_than_utf8_gets_415_problem_details_not_500(string contentType)
    {
        using var client = _app.CreateClient();

        var problem = await AssertProblemAsync(await client.SendAsync(TokenRequest(contentType)), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("UTF-8", problem.Detail);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json")]
    public async Task A_json_body_declared_as_utf8_or_without_a_charset_is_read(string contentType)
    {
        using var client = _app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(TokenRequest(contentType))).StatusCode);
    }

    /// <summary>The administrator's sign-in, its body in UTF-8 whatever <paramref name="contentType"/> claims.</summary>
    private static HttpRequestMessage TokenRequest(string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/token")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""{"email":"{{IoTRoutesApp.AdminEmail}}","password":"{{IoTRoutesApp.AdminPassword}}"}""")),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return request;
    }

    private static async Task<ProblemBody> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>())!;
        Assert.Equal((int)expected, problem.Status);
        return problem;
    }
}
