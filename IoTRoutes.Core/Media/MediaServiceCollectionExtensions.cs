using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IoTRoutes.Core.Media;

public static class MediaServiceCollectionExtensions
{
    /// <summary>The media interpreters (stateless singleton), their default limits from <c>IoTRoutes:Media</c>, and the media intake.</summary>
    public static IServiceCollection AddMediaInterpreters(this IServiceCollection services)
    {
        services.AddOptions<MediaLimits>().BindConfiguration(MediaLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MediaInterpreter>();
        services.TryAddSingleton<Intake.MediaArrivals>();
        services.TryAddSingleton<Intake.DeviceHttpCredentials>();
        return services;
    }
}
