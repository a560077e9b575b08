using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace IoTRoutes.Bench;

public sealed record Credentials(string Key, string Secret);

public sealed record Stats(long Received, long Processed, long Rejected);

/// <summary>The REST API calls the harness needs: a token, devices, message stats.</summary>
public sealed class Api(string url, string email, string password) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };

    public async Task SignInAsync()
    {
        var response = await _http.PostAsJsonAsync("/api/v1/auth/token", new { email, password });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenBody>();
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
    }

    public async Task<List<Credentials>> CreateDevicesAsync(int count, string prefix)
    {
        var created = new Credentials[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var response = await _http.PostAsJsonAsync("/api/v1/devices", new { name = $"{prefix} {i}" }, ct);
            response.EnsureSuccessStatusCode();
            var device = await response.Content.ReadFromJsonAsync<DeviceBody>(ct);
            created[i] = new Credentials(device!.Key, device.Secret);
        });
        return [.. created];
    }

    public async Task<Stats> StatsAsync() => (await _http.GetFromJsonAsync<Stats>("/api/v1/messages/stats"))!;

    public void Dispose() => _http.Dispose();

    private sealed record TokenBody(string AccessToken);

    private sealed record DeviceBody(string Key, string Secret);
}
