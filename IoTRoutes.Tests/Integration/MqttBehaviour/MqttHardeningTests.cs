namespace IoTRoutes.Tests.Integration.MqttBehaviour;

/// <summary>Malformed input a probe sent the broker (issue 13), on raw sockets: what MQTTnet's decoder lets through.</summary>
public sealed class MqttHardeningTests(MqttBench bench) : IClassFixture<MqttBench>
{
    private readonly string _root = $"hardening/{Guid.NewGuid():N}";

    [Fact]
    public async Task A_client_id_with_u0000_gets_connack_0x81_on_mqtt5_and_nothing_but_a_close_on_mqtt311()
    {
        using var modern = await RawMqttConnection.OpenAsync(bench.Port);
        await modern.SendAsync(RawV5.Connect("x\0y"));
        var modernPackets = await modern.PacketsUntilClosedAsync(MqttPeer.Patience);
        using var old = await RawMqttConnection.OpenAsync(bench.Port);
        await old.SendAsync(RawPackets.Connect("x\0y", keepAliveSeconds: 30));
        var oldPackets = await old.PacketsUntilClosedAsync(MqttPeer.Patience);

        Assert.Equal(0x81, RawV5.ReasonOf(Assert.Single(modernPackets, p => p.Type == RawPackets.ConnAck)));
        Assert.Empty(oldPackets); // 3.1.1 §1.5.3: the connection is closed
        Assert.DoesNotContain("x\0y", await bench.ClientIdsAsync(bench.BrokerId));
    }

    [Fact]
    public async Task A_protocol_level_with_the_bridge_flag_is_refused_like_an_unknown_level()
    {
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);

        await raw.SendAsync(RawPackets.Connect($"bridge-{Guid.NewGuid():N}", keepAliveSeconds: 30, level: 0x84));
        var packets = await raw.PacketsUntilClosedAsync(MqttPeer.Patience);

        var connAck = Assert.Single(packets);
        Assert.Equal(RawPackets.ConnAck, connAck.Type);
        Assert.Equal([0x00, 0x01], connAck.Body); // return code 1: unacceptable protocol version
    }

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public async Task A_topic_name_with_u0000_closes_the_connection_as_malformed(int level)
    {
        var v5 = level == 5;
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);
        await raw.SendAsync(v5 ? RawV5.Connect($"nul-{Guid.NewGuid():N}") : RawPackets.Connect($"nul-{Guid.NewGuid():N}", keepAliveSeconds: 30));
        Assert.Equal(RawPackets.ConnAck, (await raw.ReadPacketAsync(MqttPeer.Patience))!.Type);

        await raw.SendAsync(v5 ? RawV5.Publish($"{_root}/a\0b", "x", qos: 1, packetId: 1) : RawPackets.Publish(1, $"{_root}/a\0b", "x", v5: false));
        var packets = await raw.PacketsUntilClosedAsync(MqttPeer.Patience);

        Assert.DoesNotContain(packets, p => p.Type == RawPackets.PubAckType);
        if (v5)
        {
            Assert.Equal(0x81, RawV5.ReasonOf(Assert.Single(packets, p => p.Type == RawPackets.Disconnect)));
        }
    }

    [Fact]
    public async Task A_topic_filter_with_u0000_closes_the_connection_with_0x81()
    {
        using var raw = await RawMqttConnection.OpenAsync(bench.Port);
        await raw.SendAsync(RawV5.Connect($"nul-filter-{Guid.NewGuid():N}"));
        Assert.Equal(RawPackets.ConnAck, (await raw.ReadPacketAsync(MqttPeer.Patience))!.Type);

        await raw.SendAsync(RawV5.Subscribe(1, $"{_root}/\0/#", qos: 1));
        var packets = await raw.PacketsUntilClosedAsync(MqttPeer.Patience);

        Assert.DoesNotContain(packets, p => p.Type == RawPackets.SubAck);
        Assert.Equal(0x81, RawV5.ReasonOf(Assert.Single(packets, p => p.Type == RawPackets.Disconnect)));
    }
}
