using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace IoTRoutes.Core.Communicators.Http;

/// <summary>
/// Below the retries: puts the credentials on each attempt (an OAuth2 token may have been renewed in between), asks
/// for a new token once when the target answers 401 to one, and counts the attempts.
/// </summary>
internal sealed class HttpAuthenticationHandler(HttpSettings settings, HttpSecrets secrets, OAuth2ClientCredentials? tokens) : DelegatingHandler
{
    public static readonly HttpRequestOptionsKey<int> Attempts = new("IoTRoutes.Attempts");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        request.Options.TryGetValue(Attempts, out var attempts);
        request.Options.Set(Attempts, attempts + 1);

        var token = await AuthenticateAsync(request, ct);
        var response = await base.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.Unauthorized || tokens is null || token is null) return response;

        tokens.Forget(token);
        response.Dispose();
        await AuthenticateAsync(request, ct);
        return await base.SendAsync(request, ct);
    }

    /// <returns>The OAuth2 token used, if any.</returns>
    private async ValueTask<string?> AuthenticateAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var authentication = settings.Authentication;
        switch (authentication.Type)
        {
            case HttpAuthenticationType.Basic:
                var pair = Encoding.UTF8.GetBytes($"{authentication.Username}:{secrets.Password}");
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(pair));
                return null;
            case HttpAuthenticationType.Bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secrets.Token);
                return null;
            case HttpAuthenticationType.ApiKey:
                request.Headers.Remove(authentication.HeaderName);
                request.Headers.TryAddWithoutValidation(authentication.HeaderName, secrets.ApiKey);
                return null;
            case HttpAuthenticationType.OAuth2ClientCredentials when tokens is not null:
                var token = await tokens.GetAsync(ct);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return token;
            default:
                return null;
        }
    }
}
