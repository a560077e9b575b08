using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IoTRoutes.Core.Communicators.Smtp;

public static class SmtpCommunicatorServiceCollectionExtensions
{
    public static IServiceCollection AddSmtpCommunicator(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SmtpCommunicator>();
        services.TryAddSingleton<MailTemplates>();
        return services;
    }
}
