using System.Net.Http.Json;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MQTTnet;

namespace IoTRoutes.Tests.Integration;

/// <summary>MQTT over WebSocket at /mqtt on the real Kestrel web server, for browser-based devices.</summary>
public sealed class WebSocketMqttTests : IAsyncLifetime
{
    private readonly IoTRoutesApp _app = new(TestDatabase.Sqlite(), realHttp: true);

    public Task InitializeAsync()
    {
        _app.Started();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_device_publishes_over_websocket_with_the_same_rules_as_over_tcp()
    {
        using var api = _app.CreateDefaultClient(new Uri(_app.BaseAddress));
        var token = await (await api.PostAsJsonAsync("/api/v1/auth/token", new { email = IoTRoutesApp.AdminEmail, password = IoTRoutesApp.AdminPassword }))
            .Content.ReadFromJsonAsync<IoTRoutesApp.TokenBody>();
        api.DefaultRequestHeaders.Authorization = new("Bearer", token!.AccessToken);
        var device = (await (await api.PostAsJsonAsync("/api/v1/devices", new { name = "Browser device" })).Content.ReadFromJsonAsync<CreatedDeviceBody>())!;

        var wrong = await ConnectAsync(device.Key, "wrong-secret");
        var right = await ConnectAsync(device.Key, device.Secret);
        var published = await right.Client.PublishAsync(Mqtt.Message($"devices/{device.Key}/telemetry", """{"temp":19}"""));
        var foreign = await right.Client.PublishAsync(Mqtt.Message("elsewhere/telemetry", "{}"));

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, wrong.Result.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.Success, right.Result.ResultCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, published.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, foreign.ReasonCode);
        await using var db = await _app.CreateDbContextAsync();
        Assert.Equal("devices/" + device.Key + "/telemetry", (await db.Messages.SingleAsync(m => m.DeviceId == device.Id)).Topic);
        wrong.Client.Dispose();
        right.Client.Dispose();
    }

    [Fact]
    public async Task A_plain_http_request_to_the_websocket_endpoint_gets_a_problem()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_app.BaseAddress) };

        var response = await http.GetAsync("/mqtt");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("WebSocket required", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(0x84, 0x01)] // the "bridge" bit on 3.1.1: refused as any unknown level (issue 13)
    [InlineData(0x03, 0x01)] // MQTT 3.1 is not served
    public async Task Over_websocket_an_unsupported_protocol_level_gets_connack_0x01_as_over_tcp(byte level, byte returnCode)
    {
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.AddSubProtocol("mqtt");
        await socket.ConnectAsync(new UriBuilder(_app.BaseAddress) { Scheme = "ws", Path = "/mqtt" }.Uri, CancellationToken.None);
        var connect = MqttBehaviour.RawPackets.Connect($"ws-level-{Guid.NewGuid():N}", keepAliveSeconds: 30, level: level);

        await socket.SendAsync(connect, System.Net.WebSockets.WebSocketMessageType.Binary, true, CancellationToken.None);
        var buffer = new byte[16];
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = await socket.ReceiveAsync(buffer, patience.Token);

        Assert.Equal([0x20, 0x02, 0x00, returnCode], buffer[..received.Count]);
    }

    private async Task<(IMqttClient Client, MqttClientConnectResult Result)> ConnectAsync(string user, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var uri = new UriBuilder(_app.BaseAddress) { Scheme = "ws", Path = "/mqtt" }.Uri;
        var options = new MqttClientOptionsBuilder()
            .WithWebSocketServer(o => o.WithUri(uri.ToString()))
            .WithCredentials(user, password)
            .WithClientId($"ws-{Guid.NewGuid():N}")
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        return (client, await client.ConnectAsync(options));
    }
}
