using System.Net.Http.Json;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration.MqttBehaviour;

/// <summary>
/// The real app with, besides its default device broker, a "test bench" broker that lets anonymous clients in:
/// there the platform behaves as a plain MQTT broker (topics under devices/ excepted).
/// </summary>
public sealed class MqttBench : IAsyncLifetime
{
    private HttpClient? _api;

    public IoTRoutesApp App { get; } = new();

    /// <summary>The anonymous test-bench broker's port.</summary>
    public int Port { get; private set; }

    public Guid BrokerId { get; private set; }

    /// <summary>The default broker, where devices sign in with their key and secret.</summary>
    public int DevicePort => App.MqttPort;

    public HttpClient Api => _api ?? throw new InvalidOperationException("The bench is not started.");

    public async Task InitializeAsync()
    {
        App.Started();
        _api = await App.CreateAuthenticatedClientAsync();
        (BrokerId, Port) = await CreateBrokerAsync(new Dictionary<string, object?>());
    }

    /// <summary>Creates and enables an anonymous broker on a free port; <paramref name="settings"/> override or add request fields.</summary>
    public async Task<(Guid Id, int Port)> CreateBrokerAsync(Dictionary<string, object?> settings)
    {
        var port = FreePort.Next();
        var request = new Dictionary<string, object?>
        {
            ["name"] = $"bench-{Guid.NewGuid():N}",
            ["port"] = port,
            ["bindAddress"] = "127.0.0.1",
            ["allowAnonymous"] = true,
            ["persistentSessions"] = true,
            ["maxConnectAttemptsPerMinute"] = 1_000_000,
        };
        foreach (var (key, value) in settings)
        {
            request[key] = value;
        }

        var created = await Api.PostAsJsonAsync("/api/v1/brokers", request);
        Assert.True(created.IsSuccessStatusCode, $"creating the broker failed: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        var id = (await created.Content.ReadFromJsonAsync<CreatedId>())!.Id;
        var enabled = await Api.PostAsync($"/api/v1/brokers/{id}/enable", null);
        Assert.True(enabled.IsSuccessStatusCode, $"enabling the broker failed: {(int)enabled.StatusCode} {await enabled.Content.ReadAsStringAsync()}");
        return (id, port);
    }

    public async Task<CreatedDeviceBody> CreateDeviceAsync(string name)
    {
        var response = await Api.PostAsJsonAsync("/api/v1/devices", new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
    }

    /// <summary>The client ids connected to a broker now, as the API lists them.</summary>
    public async Task<IReadOnlyList<string>> ClientIdsAsync(Guid brokerId) =>
        [.. (await Api.GetFromJsonAsync<List<ClientBody>>($"/api/v1/brokers/{brokerId}/clients"))!.Select(c => c.ClientId)];

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        await App.DisposeAsync();
    }

    private sealed record CreatedId(Guid Id);

    private sealed record ClientBody(string ClientId);
}
