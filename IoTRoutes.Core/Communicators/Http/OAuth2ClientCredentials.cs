using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace IoTRoutes.Core.Communicators.Http;

/// <summary>
/// An OAuth2 access token for the client credentials grant (RFC 6749 4.4), fetched when first needed and kept until
/// shortly before it expires; one fetch at a time however many calls wait for it.
/// </summary>
internal sealed class OAuth2ClientCredentials(HttpClient http, HttpAuthentication authentication, HttpSecrets secrets, TimeSpan timeout, TimeProvider clock) : IDisposable
{
    /// <summary>When the endpoint gives no expires_in.</summary>
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Uri _tokenUrl = new(authentication.TokenUrl!);
    private volatile CachedToken? _token;

    private string Target => $"the token endpoint {_tokenUrl.Host}:{_tokenUrl.Port}";

    public async ValueTask<string> GetAsync(CancellationToken ct)
    {
        if (_token is { } cached && clock.GetUtcNow() < cached.RefreshAt) return cached.Value;
        await _gate.WaitAsync(ct);
        try
        {
            if (_token is { } fetched && clock.GetUtcNow() < fetched.RefreshAt) return fetched.Value;
            var token = await FetchAsync(ct);
            _token = token;
            return token.Value;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The target refused this token (401): the next call fetches another.</summary>
    public void Forget(string token)
    {
        if (_token?.Value == token) _token = null;
    }

    public void Dispose()
    {
        _gate.Dispose();
        http.Dispose();
    }

    private async Task<CachedToken> FetchAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _tokenUrl);
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (!string.IsNullOrWhiteSpace(authentication.Scope)) form.Add(new("scope", authentication.Scope));
        if (authentication.ClientCredentialsInBody)
        {
            form.Add(new("client_id", authentication.ClientId!));
            form.Add(new("client_secret", secrets.ClientSecret ?? ""));
        }
        else
        {
            // RFC 6749 2.3.1: each half form-encoded before the Basic encoding.
            var pair = $"{Uri.EscapeDataString(authentication.ClientId!)}:{Uri.EscapeDataString(secrets.ClientSecret ?? "")}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        string body;
        int status;
        try
        {
            using var response = await http.SendAsync(request, deadline.Token);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            throw HttpFailures.FromException(e, Target, deadline.IsCancellationRequested, null, timeout, _tokenUrl.Scheme == Uri.UriSchemeHttps);
        }

        var issuedAt = clock.GetUtcNow();
        if (status is 400 or 401 or 403)
        {
            throw new CommunicatorException(ConnectionFailure.Credentials,
                $"{Target} refused the client id or secret ({status}{ErrorOf(body)}).");
        }

        if (status >= 500) throw new CommunicatorException(ConnectionFailure.Unavailable, $"{Target} failed with {status}.");
        if (status is < 200 or >= 300) throw new CommunicatorException(ConnectionFailure.Protocol, $"{Target} answered {status} instead of a token.");
        return Parse(body, issuedAt);
    }

    private CachedToken Parse(string body, DateTimeOffset issuedAt)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (!root.TryGetProperty("access_token", out var access) || access.ValueKind != JsonValueKind.String || access.GetString() is not { Length: > 0 } value)
                throw new CommunicatorException(ConnectionFailure.Protocol, $"{Target} answered without an access_token.");
            if (value.Any(char.IsControl)) throw new CommunicatorException(ConnectionFailure.Protocol, $"{Target} answered a token that cannot be sent in a header.");

            var lifetime = root.TryGetProperty("expires_in", out var expires) && ReadSeconds(expires) is { } seconds and > 0
                ? TimeSpan.FromSeconds(seconds)
                : DefaultLifetime;
            // Renewed a little before it expires, so that a call in flight does not carry a token that just lapsed.
            var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, lifetime.Ticks / 10));
            return new CachedToken(value, issuedAt + lifetime - margin);
        }
        catch (JsonException)
        {
            throw new CommunicatorException(ConnectionFailure.Protocol, $"{Target} did not answer JSON.");
        }
    }

    private static double? ReadSeconds(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when double.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var seconds) => seconds,
        _ => null,
    };

    /// <summary>", invalid_client": the error code the endpoint gave (RFC 6749 5.2), which names no secret.</summary>
    private static string ErrorOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("error", out var error)
                   && error.ValueKind == JsonValueKind.String && error.GetString() is { } code && code.Length <= 64 && code.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
                ? $", {code}"
                : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt);
}
