using System.Net;
using System.Net.Http.Json;
using System.Text;
using MQTTnet;

namespace IoTRoutes.Tests.Integration.MqttBehaviour;

/// <summary>
/// Random and mutated MQTT packets and API bodies against the running app, for a bounded number of rounds with fixed
/// seeds (a failure names its seed and round, so it can be replayed): nothing answers 5xx, the process keeps serving,
/// /health stays 200 and a well-behaved client still gets its messages through (issue 13).
/// </summary>
public sealed class FuzzTests(MqttBench bench) : IClassFixture<MqttBench>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    [Theory]
    [InlineData(1201, 4)]
    [InlineData(1202, 5)]
    public async Task Mutated_mqtt_packets_never_take_the_broker_down(int seed, byte level)
    {
        var random = new Random(seed);
        for (var round = 0; round < 120; round++)
        {
            using var raw = await RawMqttConnection.OpenAsync(bench.Port);
            var connect = level == 5 ? RawV5.Connect($"fuzz-{seed}-{round}") : RawPackets.Connect($"fuzz-{seed}-{round}", keepAliveSeconds: 30);
            var open = await TrySendAsync(raw, random.Next(4) == 0 ? Mutate(connect, random) : connect);
            for (var packet = 0; packet < 4 && open; packet++)
            {
                open = await TrySendAsync(raw, Mutate(SomePacket(random, level == 5, round), random));
            }

            await DrainAsync(raw);
        }

        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Mutated_api_bodies_never_get_a_5xx()
    {
        var random = new Random(1301);
        string[] routes = ["/api/v1/auth/token", "/api/v1/devices", "/api/v1/entities", "/api/v1/roles", "/api/v1/brokers", "/api/v1/users", "/api/v1/auth/refresh"];
        string[] seeds =
        [
            """{"email":"a@example.com","password":"long-enough-1"}""",
            """{"name":"Valve","entityId":"00000000-0000-0000-0000-000000000001"}""",
            """{"name":"Org","type":"Organisation","parentId":null}""",
            """{"name":"Role","grants":{"Devices":"Manage"},"actions":["Devices.SendCommand"]}""",
            """{"name":"b","port":1,"protocols":["5.0"],"receiveMaximum":5,"deniedSubscriptions":["#"]}""",
            """{"refreshToken":"abc"}""",
        ];
        for (var round = 0; round < 150; round++)
        {
            var body = Encoding.UTF8.GetString(Mutate(Encoding.UTF8.GetBytes(seeds[random.Next(seeds.Length)]), random));
            var route = routes[random.Next(routes.Length)];
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await bench.Api.PostAsync(route, content);

            Assert.True((int)response.StatusCode < 500, $"round {round}: POST {route} {body} answered {(int)response.StatusCode}");
        }

        await AssertStillServingAsync();
    }

    private async Task AssertStillServingAsync()
    {
        Assert.Equal(HttpStatusCode.OK, (await bench.Api.GetAsync("/health")).StatusCode);
        var topic = $"fuzz/{Guid.NewGuid():N}/after";
        await using var peer = await MqttPeer.ConnectAsync(bench.Port);
        await peer.SubscribeGrantedAsync(topic);
        await peer.PublishAsync(topic, "still here");
        Assert.Equal("still here", (await peer.NextAsync()).ConvertPayloadToString());
    }

    private static byte[] SomePacket(Random random, bool v5, int round) => random.Next(6) switch
    {
        0 => v5 ? RawV5.Publish($"fuzz/{round}", "payload", qos: random.Next(3), packetId: (ushort)random.Next(1, 100), RawV5.Two(RawV5.TopicAlias, (ushort)random.Next(0, 20)))
                : RawPackets.Publish((ushort)random.Next(1, 100), $"fuzz/{round}", "payload", v5: false),
        1 => v5 ? RawV5.Subscribe((ushort)random.Next(1, 100), $"fuzz/{round}/#", qos: random.Next(3)) : RawPackets.Subscribe((ushort)random.Next(1, 100), $"fuzz/{round}/#", v5: false),
        2 => v5 ? RawV5.Disconnect((byte)random.Next(256), RawV5.Four(RawV5.SessionExpiryInterval, (uint)random.Next(0, 100))) : [0xE0, 0x00],
        3 => RawPackets.PingReq,
        4 => RawV5.PubAck((ushort)random.Next(1, 100)),
        _ => RandomBytes(random, random.Next(1, 64)),
    };

    /// <summary>Flips, inserts, deletes or truncates a few bytes; now and then leaves the packet whole.</summary>
    private static byte[] Mutate(byte[] packet, Random random)
    {
        var bytes = packet.ToList();
        var changes = random.Next(0, 4);
        for (var i = 0; i < changes && bytes.Count > 0; i++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.Insert(at, (byte)random.Next(256)); break;
                case 2: bytes.RemoveAt(at); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }

        return [.. bytes];
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>False once the broker has closed the connection (what it does with most mutated packets).</summary>
    private static async Task<bool> TrySendAsync(RawMqttConnection raw, byte[] bytes)
    {
        try
        {
            await raw.SendAsync(bytes);
            return true;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static async Task DrainAsync(RawMqttConnection raw)
    {
        try
        {
            while (await raw.ReadPacketAsync(Quiet) is not null)
            {
            }
        }
        catch (TimeoutException)
        {
            // still open and quiet: fine
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // the broker closed it
        }
    }
}
