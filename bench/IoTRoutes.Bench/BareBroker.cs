using System.Net;
using System.Net.Sockets;
using MQTTnet.Server;

namespace IoTRoutes.Bench;

/// <summary>The baseline: an MQTTnet server with nothing around it (no authentication, no storage), in this process.</summary>
public sealed class BareBroker : IAsyncDisposable
{
    private readonly MqttServer _server;

    public BareBroker()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var options = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None).WithDefaultEndpointPort(Port).Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
    }

    public int Port { get; }

    public Task StartAsync() => _server.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync(new MqttServerStopOptions());
        _server.Dispose();
    }
}
