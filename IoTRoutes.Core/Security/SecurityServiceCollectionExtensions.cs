using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Security;

public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddSecurity(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LockoutOptions>().BindConfiguration(LockoutOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<UserPasswordHasher>();
        services.AddSingleton<SigningKeyProvider>();
        services.AddSingleton<UserAccountService>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<Permissions.PermissionResolver>();
        services.AddScoped<Permissions.RoleService>();
        services.AddScoped<UserService>();
        services.AddSingleton<Audit.AuditTrail>();
        services.AddScoped<Audit.AuditLogService>();
        services.AddHostedService<AdminBootstrapper>();
        return services;
    }
}
