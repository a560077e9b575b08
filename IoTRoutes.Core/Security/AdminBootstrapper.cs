using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Security;

/// <summary>Creates the first administrator on an empty database.</summary>
internal sealed partial class AdminBootstrapper(
    IDbContextFactory<AppDbContext> contexts,
    IOptions<AdminOptions> options,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<AdminBootstrapper> logger) : IHostedService
{
    /// <summary>Where the one-time password is printed; the process console outside tests.</summary>
    internal TextWriter Console { get; init; } = System.Console.Out;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Users.AnyAsync(cancellationToken))
        {
            return;
        }

        var admin = options.Value;
        var generated = string.IsNullOrEmpty(admin.Password);
        var password = generated ? OfflinePasswordReset.GeneratePassword() : admin.Password!;
        if (!generated && PasswordRules.Check(password) is { } problem)
        {
            throw new InvalidOperationException($"IoTRoutes:Admin:Password is not usable: {problem}");
        }

        var user = new User
        {
            Id = Guid.CreateVersion7(),
            Email = admin.Email.Trim(),
            NormalizedEmail = User.Normalize(admin.Email),
            PasswordHash = "",
            MustChangePassword = generated,
            EntityId = RootEntity.Id,
            CreatedAt = clock.GetUtcNow(),
        };
        using (var scope = scopes.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<User>>();
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException(
                    $"The administrator could not be created: {string.Join(" ", created.Errors.Select(e => e.Description))}");
            }
        }

        db.UserRoles.Add(new UserRole { UserId = user.Id, RoleId = BuiltInRoles.AdministratorId });
        await db.SaveChangesAsync(cancellationToken);

        if (generated)
        {
            // Printed once, on the console only: it is never stored in clear and must be changed at first sign-in.
            Console.WriteLine();
            Console.WriteLine("==============================================================");
            Console.WriteLine($" IoTRoutes administrator: {user.Email}");
            Console.WriteLine($" One-time password:       {password}");
            Console.WriteLine(" You will be asked to change it at first sign-in.");
            Console.WriteLine("==============================================================");
            Console.WriteLine();
        }

        LogCreated(logger, user.Email, generated);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "Created administrator {Email} (generated password: {Generated})")]
    private static partial void LogCreated(ILogger logger, string email, bool generated);
}
