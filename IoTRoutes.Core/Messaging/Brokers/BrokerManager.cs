using System.Net;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>Starts the brokers of this deployment and stops them on shutdown.</summary>
public sealed class BrokerManager(
    IOptions<DefaultBrokerOptions> defaultBroker,
    IOptions<MessagingOptions> messaging,
    DeviceCredentialValidator credentials,
    DeviceConnectionTracker connections,
    DeviceStatusService status,
    MessageIntake intake,
    TimeProvider clock,
    ILoggerFactory loggers) : IHostedService, IDeviceConnections
{
    private readonly List<BrokerHost> _hosts = [];

    /// <summary>The enabled brokers; each reports whether it is running.</summary>
    public IReadOnlyList<BrokerHost> Hosts => _hosts;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await status.ResetConnectionsAsync(cancellationToken);
        var options = defaultBroker.Value;
        if (!options.Enabled)
        {
            return;
        }

        var host = new BrokerHost(
            new BrokerEndpoint(options.Name, IPAddress.Parse(options.BindAddress), options.Port),
            credentials, connections, intake, messaging.Value.MaxPayloadBytes, clock,
            loggers.CreateLogger($"IoTRoutes.Broker.{options.Name}"));
        _hosts.Add(host);
        await host.StartAsync();
    }

    public async Task DisconnectAsync(string deviceKey, CancellationToken ct)
    {
        foreach (var host in _hosts)
        {
            await host.DisconnectDeviceAsync(deviceKey);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
        }
    }
}
