using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Workflows.Alerts;

public static class AlertsServiceCollectionExtensions
{
    /// <summary>Alerts: raised by workflows (<see cref="AlertRaiser"/>), followed by users (<see cref="AlertService"/>), live through <see cref="AlertFeed"/>.</summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddSingleton<AlertFeed>();
        services.AddSingleton<AlertRaiser>();
        services.AddScoped<AlertService>();
        return services;
    }
}
