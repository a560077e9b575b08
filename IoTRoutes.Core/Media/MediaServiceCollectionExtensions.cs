using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IoTRoutes.Core.Media;

public static class MediaServiceCollectionExtensions
{
    /// <summary>The media interpreters (stateless singleton) and their default limits from <c>IoTRoutes:Media</c>.</summary>
    public static IServiceCollection AddMediaInterpreters(this IServiceCollection services)
    {
        services.AddOptions<MediaLimits>().BindConfiguration(MediaLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MediaInterpreter>();
        return services;
    }
}
