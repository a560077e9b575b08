using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Devices;

public static class DevicesServiceCollectionExtensions
{
    public static IServiceCollection AddDevices(this IServiceCollection services)
    {
        services.AddScoped<DeviceService>();
        services.AddSingleton<DeviceCredentialValidator>();
        services.AddSingleton<DeviceStatusService>();
        return services;
    }
}
