using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Storage;

public static class StorageServiceCollectionExtensions
{
    public const string ConnectionStringName = "IoTRoutes";

    /// <summary>Registers <see cref="IDbContextFactory{AppDbContext}"/> for the configured provider and migrates it at start.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateOnStart();
        var provider = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>()?.Provider ?? DatabaseProvider.Sqlite;
        var connectionString = configuration.GetConnectionString(ConnectionStringName);

        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                connectionString ??= $"Data Source={Path.Combine(DataDirectoryOf(configuration), "iotroutes.db")}";
                services.AddDbContextFactory<SqliteAppDbContext>(o => o.UseSqlite(connectionString));
                services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderContextFactory<SqliteAppDbContext>>();
                break;
            case DatabaseProvider.PostgreSql:
                services.AddDbContextFactory<PostgreSqlAppDbContext>(o => o.UseNpgsql(Require(connectionString, provider)));
                services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderContextFactory<PostgreSqlAppDbContext>>();
                break;
            case DatabaseProvider.SqlServer:
                services.AddDbContextFactory<SqlServerAppDbContext>(o => o.UseSqlServer(Require(connectionString, provider)));
                services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderContextFactory<SqlServerAppDbContext>>();
                break;
        }

        services.AddHostedService<DatabaseMigrator>();
        return services;
    }

    private static string DataDirectoryOf(IConfiguration configuration)
    {
        var options = configuration.GetSection(IoTRoutesOptions.Section).Get<IoTRoutesOptions>() ?? new IoTRoutesOptions();
        return options.ResolveDataDirectory();
    }

    private static string Require(string? connectionString, DatabaseProvider provider) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? throw new InvalidOperationException(
                $"IoTRoutes:Database:Provider is {provider}: set ConnectionStrings:IoTRoutes (environment variable ConnectionStrings__IoTRoutes).")
            : connectionString;
}
