using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IoTRoutes.Core.Communicators.Http;

public static class HttpCommunicatorServiceCollectionExtensions
{
    public static IServiceCollection AddHttpCommunicator(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new HttpResilienceOptions());
        services.TryAddSingleton<HttpCommunicatorClients>();
        services.TryAddSingleton<HttpCommunicator>();
        return services;
    }
}
