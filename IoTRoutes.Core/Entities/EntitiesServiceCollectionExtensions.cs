using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Entities;

public static class EntitiesServiceCollectionExtensions
{
    /// <summary>The entity tree and scoping. The host registers an <see cref="IEntityScopeProvider"/> for its callers.</summary>
    public static IServiceCollection AddEntities(this IServiceCollection services)
    {
        services.AddScoped<ScopedContexts>();
        services.AddScoped<EntityService>();
        return services;
    }
}
