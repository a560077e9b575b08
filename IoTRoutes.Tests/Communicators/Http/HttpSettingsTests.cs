using System.Text.Json;
using IoTRoutes.Core.Communicators.Http;

namespace IoTRoutes.Tests.Communicators.Http;

public sealed class HttpSettingsTests
{
    [Fact]
    public void Settings_round_trip_through_web_json_with_the_authentication_type_as_text()
    {
        var settings = new HttpSettings
        {
            BaseUrl = "https://api.example.com/v1",
            Headers = new Dictionary<string, string> { ["X-Tenant"] = "north" },
            Authentication = new HttpAuthentication { Type = HttpAuthenticationType.OAuth2ClientCredentials, TokenUrl = "https://id.example.com/token", ClientId = "gw" },
            IdempotencyKeyHeader = "Idempotency-Key",
        };

        var json = JsonSerializer.Serialize(settings, JsonSerializerOptions.Web);
        var back = JsonSerializer.Deserialize<HttpSettings>(json, JsonSerializerOptions.Web)!;

        Assert.Contains("\"type\":\"OAuth2ClientCredentials\"", json);
        Assert.Equal(settings.Authentication, back.Authentication);
        Assert.Equal("north", back.Headers["X-Tenant"]);
        Assert.Equal((30, 2, "Idempotency-Key"), (back.TimeoutSeconds, back.Retries, back.IdempotencyKeyHeader));
        Assert.Empty(back.Problems());
    }

    [Fact]
    public void Each_bad_setting_is_named_with_a_sentence()
    {
        var settings = new HttpSettings
        {
            BaseUrl = "https://user:pw@api.example.com",
            Headers = new Dictionary<string, string> { ["Bad Name"] = "x", ["Authorization"] = "Bearer abc", ["X-Ok"] = "line\nbreak" },
            Authentication = new HttpAuthentication { Type = HttpAuthenticationType.OAuth2ClientCredentials, TokenUrl = "token" },
            TimeoutSeconds = 0,
            Retries = 9,
            CaCertificatePem = "not a certificate",
            AcceptCertificateSha256 = "abc",
        };

        var problems = settings.Problems();

        Assert.Equal(["acceptCertificateSha256", "authentication.clientId", "authentication.tokenUrl", "baseUrl", "caCertificatePem", "headers", "retries", "timeoutSeconds"],
            problems.Keys.Order());
        Assert.Equal(3, problems["headers"].Length);
        Assert.Contains("set from the authentication settings", problems["headers"][1]);
        Assert.Equal("Put the user name and password in the authentication settings, not in the URL.", problems["baseUrl"].Single());
    }

    [Fact]
    public void Secrets_say_what_is_missing_for_the_authentication_and_never_show_their_values()
    {
        var secrets = new HttpSecrets { Token = "tok\r\nen", ApiKey = "key-123", ClientCertificatePfxBase64 = "bm90IGEgcGZ4" };
        var basic = new HttpSettings { BaseUrl = "https://x", Authentication = new HttpAuthentication { Type = HttpAuthenticationType.Basic, Username = "u" } };

        var problems = secrets.Problems(basic);

        Assert.Equal(["clientCertificatePfxBase64", "password", "token"], problems.Keys.Order());
        Assert.Equal("HttpSecrets { values hidden }", secrets.ToString());
        Assert.DoesNotContain("key-123", $"{secrets} {string.Join(' ', problems.Values.SelectMany(v => v))}");
    }
}
