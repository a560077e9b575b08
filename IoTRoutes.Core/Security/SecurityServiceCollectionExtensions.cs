using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Security.SignIn;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Security;

public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddSecurity(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LockoutOptions>().BindConfiguration(LockoutOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddUserIdentity();
        services.AddSingleton<SigningKeyProvider>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<UnknownAccountPassword>();
        services.AddScoped<UserAccountService>();
        services.AddScoped<TokenService>();
        services.AddSingleton<PermissionResolver>();
        services.AddScoped<RoleService>();
        services.AddScoped<UserService>();
        services.AddSingleton<OfflinePasswordReset>();
        services.AddSingleton<AuditTrail>();
        services.AddScoped<AuditLogService>();
        services.AddHostedService<AdminBootstrapper>();
        return services;
    }

    /// <summary>
    /// ASP.NET Core Identity over our own user table (<see cref="AppUserStore"/>): hashing, password policy, stamps.
    /// Identity's account lockout is off: it let anyone lock any account; <see cref="SignInThrottle"/> replaces it.
    /// </summary>
    public static IServiceCollection AddUserIdentity(this IServiceCollection services)
    {
        services.AddIdentityCore<User>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.User.AllowedUserNameCharacters = ""; // the user name is the e-mail address, checked elsewhere
                o.Password.RequiredLength = PasswordRules.MinLength;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 4;
                o.Lockout.AllowedForNewUsers = false;
            })
            .AddUserStore<AppUserStore>();
        return services;
    }
}
