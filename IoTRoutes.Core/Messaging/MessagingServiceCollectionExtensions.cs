using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IoTRoutes.Core.Messaging;

public static class MessagingServiceCollectionExtensions
{
    public static IServiceCollection AddMessaging(this IServiceCollection services)
    {
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IntakeOptions>().BindConfiguration(IntakeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DefaultBrokerOptions>().BindConfiguration(DefaultBrokerOptions.Section).ValidateDataAnnotations()
            .Validate(o => System.Net.IPAddress.TryParse(o.BindAddress, out _), "IoTRoutes:DefaultBroker:BindAddress must be an IP address.")
            .Validate(o => o.TlsPort != o.Port, "IoTRoutes:DefaultBroker:TlsPort must differ from Port.")
            .ValidateOnStart();

        services.AddSingleton<MessageFeed>();
        services.AddScoped<MessageQueryService>();
        services.AddSingleton<JsonPayloadDecoder>();
        services.AddSingleton<FormatCatalog>();
        services.AddSingleton<VersionTestResults>();
        services.AddSingleton<LatestFieldValues>();
        services.AddHostedService(sp => sp.GetRequiredService<LatestFieldValues>());
        services.AddSingleton(sp => new MessageDecoder(sp.GetRequiredService<JsonPayloadDecoder>(), sp.GetRequiredService<FormatCatalog>()));
        services.AddSingleton<MessageIntake>();
        services.AddSingleton<AcquisitionSignal>();
        services.AddSingleton<DeviceConnectionTracker>();
        services.AddHostedService<IntakeWriter>();
        services.AddHostedService<AcquisitionWorker>();
        services.AddSingleton<Lifecycle.OrphanSweepSignal>();
        services.AddHostedService<Lifecycle.OrphanMessageSweeper>();
        services.AddSingleton<BrokerEvents>();
        services.AddSingleton<BrokerHostServices>();
        services.TryAddSingleton<IBrokerTransports, NoExtraTransports>();
        services.AddScoped<BrokerService>();
        services.AddScoped<FormatService>();
        services.AddScoped<Formats.Import.DeviceRepositoryImport>();
        services.AddScoped<MessageReprocessing>();
        services.AddScoped<Rejections.RejectedMessageService>();
        services.AddScoped<Explorer.MessageExplorer>();
        services.AddScoped<Explorer.MessageExport>();
        services.AddScoped<Telemetry.TelemetrySeries>();
        services.AddSingleton<Telemetry.ComputedTelemetryWriter>();
        services.AddScoped<Profiles.ProfileService>();
        services.AddScoped<Commands.CommandService>();

        // Subscribers of broker events start before the brokers do, so they miss nothing.
        services.TryAddSingleton<Devices.ConnectionEventIds>();
        services.AddHostedService<Devices.ConnectionEventRecorder>();
        services.AddSingleton<Commands.CommandDispatcher>();
        services.AddSingleton<Commands.CommandSender>();
        services.AddHostedService(sp => sp.GetRequiredService<Commands.CommandDispatcher>());
        // Hosted services stop in reverse order: the brokers first, then the connection changes they queued are handed
        // to the subscribers above, which are still listening.
        services.AddSingleton<ConnectionChanges>();
        services.AddHostedService(sp => sp.GetRequiredService<ConnectionChanges>());
        services.AddSingleton<BrokerManager>();
        services.AddHostedService(sp => sp.GetRequiredService<BrokerManager>());
        services.AddSingleton<Devices.IDeviceConnections>(sp => sp.GetRequiredService<BrokerManager>());
        return services;
    }
}
