using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IoTRoutes.Bench;

public sealed record Credentials(string Key, string Secret, Guid DeviceId = default);

public sealed record Stats(long Received, long Processed, long Rejected);

/// <summary>The REST API calls the harness needs: a token, formats and profiles, devices, their messages, message stats.</summary>
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

    /// <summary>A format, and a profile holding just it; returns both ids.</summary>
    public async Task<(Guid FormatId, Guid ProfileId)> CreateProfileAsync(JsonObject format)
    {
        var formatId = await CreateAsync("/api/v1/formats", format);
        var profileId = await CreateAsync("/api/v1/profiles", new { name = $"{format["name"]} profile", formatIds = new[] { formatId } });
        return (formatId, profileId);
    }

    public async Task<List<Credentials>> CreateDevicesAsync(int count, string prefix, Guid? profileId = null)
    {
        var created = new Credentials[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var response = await _http.PostAsJsonAsync("/api/v1/devices", new { name = $"{prefix} {i}", profileId }, ct);
            response.EnsureSuccessStatusCode();
            var device = await response.Content.ReadFromJsonAsync<DeviceBody>(ct);
            created[i] = new Credentials(device!.Key, device.Secret, device.Id);
        });
        return [.. created];
    }

    /// <summary>The device's newest messages, as the API shows them (state, data, fields, format).</summary>
    public async Task<JsonArray> DeviceMessagesAsync(Guid deviceId, int limit) =>
        (await _http.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{deviceId}/messages?limit={limit}"))!;

    public async Task<Stats> StatsAsync() => (await _http.GetFromJsonAsync<Stats>("/api/v1/messages/stats"))!;

    public Task<Guid> CreateWorkflowAsync(JsonObject workflow) => CreateAsync("/api/v1/workflows", workflow);

    public async Task PublishWorkflowAsync(Guid id)
    {
        var response = await _http.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Publishing the workflow: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The messages waiting for the workflow, how many its trigger ran on, and its nodes' errors (since the process started).</summary>
    public async Task<(long Waiting, long In, long Errors)> WorkflowRuntimeAsync(Guid id)
    {
        var runtime = (await _http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!["runtime"];
        if (runtime is null) return (0, 0, 0);
        var nodes = runtime["nodes"]!.AsArray();
        var trigger = nodes.FirstOrDefault(n => n!["nodeId"]!.GetValue<string>() == "in");
        return (runtime["waiting"]!.GetValue<long>(), trigger?["in"]?.GetValue<long>() ?? 0, nodes.Sum(n => n!["errors"]?.GetValue<long>() ?? 0));
    }

    public void Dispose() => _http.Dispose();

    private async Task<Guid> CreateAsync(string path, object body)
    {
        var response = await _http.PostAsJsonAsync(path, body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<IdBody>())!.Id;
    }

    private sealed record IdBody(Guid Id);

    private sealed record TokenBody(string AccessToken);

    private sealed record DeviceBody(Guid Id, string Key, string Secret);
}
