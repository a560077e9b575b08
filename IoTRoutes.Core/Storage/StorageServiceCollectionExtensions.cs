using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Storage;

public static class StorageServiceCollectionExtensions
{
    public const string ConnectionStringName = "IoTRoutes";

    /// <summary>
    /// Collections included together load in one query (one round trip, one snapshot); the queries that include two
    /// collections of one parent, whose rows would multiply, say AsSplitQuery themselves.
    /// </summary>
    private const QuerySplittingBehavior SplitQueries = QuerySplittingBehavior.SingleQuery;

    private static readonly SqliteBusyWait BusyWait = new();

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
                services.AddDbContextFactory<SqliteAppDbContext>(o => o.UseSqlite(connectionString, q => q.UseQuerySplittingBehavior(SplitQueries))
                    .AddInterceptors(BusyWait)
                    // SQLite cannot add a foreign key to an existing table: EF rebuilds the table between PRAGMA
                    // foreign_keys = 0 and 1, which SQLite ignores inside a transaction, and warns of it for every such
                    // migration (EntityTree, MessageFormats) on every new database. Nothing to act on: debug level.
                    .ConfigureWarnings(w => w.Log((RelationalEventId.NonTransactionalMigrationOperationWarning, LogLevel.Debug))));
                services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderContextFactory<SqliteAppDbContext>>();
                break;
            case DatabaseProvider.PostgreSql:
                services.AddDbContextFactory<PostgreSqlAppDbContext>(o => o.UseNpgsql(Require(connectionString, provider), q => q.UseQuerySplittingBehavior(SplitQueries)));
                services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderContextFactory<PostgreSqlAppDbContext>>();
                break;
            case DatabaseProvider.SqlServer:
                services.AddDbContextFactory<SqlServerAppDbContext>(o => o.UseSqlServer(Require(connectionString, provider), q => q.UseQuerySplittingBehavior(SplitQueries)));
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
