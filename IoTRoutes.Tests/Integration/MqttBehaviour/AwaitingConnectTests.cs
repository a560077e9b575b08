using System.Net.Http.Json;
using System.Net.Sockets;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration.MqttBehaviour;

/// <summary>
/// Connections that never send CONNECT (issue 13): bounded per address and in all, and closed after the broker's CONNECT
/// timeout, on the plain and the TLS port. Raw sockets from distinct loopback addresses.
/// </summary>
public sealed class AwaitingConnectTests(MqttBench bench) : IClassFixture<MqttBench>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Silent_connections_from_one_address_beyond_its_bound_are_closed_at_once_and_others_still_connect()
    {
        var (_, port) = await bench.CreateBrokerAsync(new() { ["maxPendingConnectsPerAddress"] = 3, ["connectTimeoutSeconds"] = 60 });
        var silent = new List<RawMqttConnection>();
        for (var i = 0; i < 3; i++) silent.Add(await RawMqttConnection.OpenAsync(port, "127.0.0.2"));

        var closedAtOnce = await ClosedAtOnceAsync(port, "127.0.0.2");
        using var other = await RawMqttConnection.OpenAsync(port, "127.0.0.3");
        await other.SendAsync(RawPackets.Connect($"other-{Guid.NewGuid():N}", keepAliveSeconds: 30));
        var connAck = await other.ReadPacketAsync(MqttPeer.Patience);

        Assert.True(closedAtOnce);
        Assert.Equal([0x00, 0x00], connAck!.Body);
        foreach (var connection in silent)
        {
            await Assert.ThrowsAsync<TimeoutException>(() => connection.ReadPacketAsync(Quiet)); // still open, still waiting
            connection.Dispose();
        }
    }

    [Fact]
    public async Task A_connection_that_sent_its_connect_gives_its_place_back()
    {
        var (_, port) = await bench.CreateBrokerAsync(new() { ["maxPendingConnectsPerAddress"] = 1 });

        for (var i = 0; i < 3; i++)
        {
            using var client = await RawMqttConnection.OpenAsync(port, "127.0.0.4");
            await client.SendAsync(RawPackets.Connect($"in-turn-{i}-{Guid.NewGuid():N}", keepAliveSeconds: 30));
            Assert.Equal([0x00, 0x00], (await client.ReadPacketAsync(MqttPeer.Patience))!.Body);
        }
    }

    [Fact]
    public async Task Beyond_the_brokers_total_bound_a_new_silent_connection_is_closed_at_once()
    {
        var (_, port) = await bench.CreateBrokerAsync(new() { ["maxPendingConnects"] = 4, ["maxPendingConnectsPerAddress"] = 2, ["connectTimeoutSeconds"] = 60 });
        var silent = new List<RawMqttConnection>();
        foreach (var from in new[] { "127.0.0.5", "127.0.0.5", "127.0.0.6", "127.0.0.6" }) silent.Add(await RawMqttConnection.OpenAsync(port, from));

        Assert.True(await ClosedAtOnceAsync(port, "127.0.0.7"));
        silent.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task A_silent_connection_is_closed_after_the_brokers_connect_timeout_and_a_connected_one_is_not()
    {
        var (_, port) = await bench.CreateBrokerAsync(new() { ["connectTimeoutSeconds"] = 1 });
        using var silent = await RawMqttConnection.OpenAsync(port);
        using var speaking = await RawMqttConnection.OpenAsync(port);
        await speaking.SendAsync(RawPackets.Connect($"speaking-{Guid.NewGuid():N}", keepAliveSeconds: 60));
        Assert.Equal(RawPackets.ConnAck, (await speaking.ReadPacketAsync(MqttPeer.Patience))!.Type);

        Assert.Empty(await silent.PacketsUntilClosedAsync(MqttPeer.Patience)); // 15 s on MQTTnet's default before
        await speaking.SendAsync(RawPackets.PingReq);
        Assert.Equal(RawPackets.PingResp, (await speaking.ReadPacketAsync(MqttPeer.Patience))!.Type);
    }

    [Fact]
    public async Task On_the_tls_port_a_connection_without_handshake_and_one_without_connect_are_closed_after_the_timeout()
    {
        var tlsPort = FreePort.Next();
        await bench.CreateBrokerAsync(new() { ["connectTimeoutSeconds"] = 1, ["tlsPort"] = tlsPort });
        using var noHandshake = new TcpClient();
        await noHandshake.ConnectAsync("127.0.0.1", tlsPort);
        using var noConnect = await RawMqttConnection.OpenTlsAsync(tlsPort);

        Assert.Empty(await noConnect.PacketsUntilClosedAsync(MqttPeer.Patience));
        Assert.True(await ClosedByBrokerAsync(noHandshake)); // MQTTnet waited for a handshake forever
    }

    [Theory]
    [InlineData("connectTimeoutSeconds", 0)]
    [InlineData("connectTimeoutSeconds", 301)]
    [InlineData("maxPendingConnects", 0)]
    [InlineData("maxPendingConnectsPerAddress", 2000)]
    public async Task Out_of_range_bounds_are_refused_with_a_field_error(string field, int value)
    {
        var response = await bench.Api.PostAsJsonAsync("/api/v1/brokers",
            new Dictionary<string, object> { ["name"] = $"bad-{Guid.NewGuid():N}", ["port"] = FreePort.Next(), [field] = value });

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
    }

    /// <summary>Whether the broker closes (or resets) the connection within <see cref="MqttPeer.Patience"/>; a timeout fails.</summary>
    private static async Task<bool> ClosedByBrokerAsync(TcpClient client)
    {
        using var wait = new CancellationTokenSource(MqttPeer.Patience);
        try
        {
            return await client.GetStream().ReadAsync(new byte[16], wait.Token) == 0;
        }
        catch (IOException)
        {
            return true; // reset
        }
    }

    /// <summary>Opens a connection and waits for the broker to close it; a reset even before the connect returned counts.</summary>
    private static async Task<bool> ClosedAtOnceAsync(int port, string from)
    {
        try
        {
            using var connection = await RawMqttConnection.OpenAsync(port, from);
            return await connection.ReadPacketAsync(MqttPeer.Patience) is null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }
}
