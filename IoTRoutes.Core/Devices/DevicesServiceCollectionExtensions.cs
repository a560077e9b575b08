using IoTRoutes.Core.Devices.Certificates;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Devices;

public static class DevicesServiceCollectionExtensions
{
    public static IServiceCollection AddDevices(this IServiceCollection services)
    {
        services.AddOptions<TlsOptions>().BindConfiguration(TlsOptions.Section)
            .Validate(o => o.DeviceCertificateDays is >= 1 and <= 3650, "IoTRoutes:Tls:DeviceCertificateDays must be between 1 and 3650.")
            .ValidateOnStart();
        services.AddScoped<DeviceService>();
        services.AddScoped<Import.DeviceImportService>();
        services.AddScoped<ConnectionHistoryService>();
        services.AddScoped<DeviceBrokerLocator>();
        services.AddScoped<DeviceCertificateService>();
        services.AddSingleton<DeviceCredentialValidator>();
        services.AddSingleton<DeviceCertificateValidator>();
        services.AddSingleton<CertificateAuthority>();
        services.AddSingleton<DeviceStatusService>();
        services.AddSingleton<Attributes.DeviceAttributeFeed>();
        services.AddScoped<Attributes.DeviceAttributeService>();
        services.AddSingleton<Attributes.DeviceAttributeWriter>();
        return services;
    }
}
