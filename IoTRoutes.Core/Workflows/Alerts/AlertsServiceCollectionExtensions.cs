using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IoTRoutes.Core.Workflows.Alerts;

public static class AlertsServiceCollectionExtensions
{
    /// <summary>Alerts: raised by workflows (<see cref="AlertRaiser"/>), followed by users (<see cref="AlertService"/>), live through <see cref="AlertFeed"/>.</summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.TryAddSingleton<AlertFeed>();
        services.TryAddSingleton<AlertEvents>();
        services.TryAddSingleton<AlertRaiser>();
        services.TryAddScoped<AlertService>();
        return services;
    }
}
