using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.MqttBridge;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Jobs;
using IoTRoutes.Core.Media;
using IoTRoutes.Core.Files;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Security;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>Every Core module, in start order: storage (migrations) first, brokers last.</summary>
    public static IServiceCollection AddIoTRoutesCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IoTRoutesOptions>().BindConfiguration(IoTRoutesOptions.Section)
            .Validate(o => string.IsNullOrWhiteSpace(o.PublicHost) || Uri.CheckHostName(o.PublicHost.Trim()) != UriHostNameType.Unknown,
                "IoTRoutes:PublicHost must be a host name or an IP address, without scheme, port or path (for example iot.example.com).")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddStorage(configuration);
        services.AddEntities();
        services.AddSecurity();
        services.AddDevices();
        services.AddFiles();
        services.AddMessaging();
        services.AddWorkflows();
        services.AddJobs();
        services.AddMediaInterpreters();
        services.AddCommunicators(configuration.GetSection(IoTRoutesOptions.Section).Get<IoTRoutesOptions>()?.ResolveDataDirectory() ?? new IoTRoutesOptions().ResolveDataDirectory());
        services.AddMqttBridgeCommunicator();
        return services;
    }
}
