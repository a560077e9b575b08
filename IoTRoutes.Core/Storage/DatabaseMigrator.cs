using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Storage;

/// <summary>Applies the provider's migrations before anything else starts (it is registered first).</summary>
internal sealed partial class DatabaseMigrator(IDbContextFactory<AppDbContext> contexts, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            LogMigrating(logger, db.Database.ProviderName ?? "?", pending.Count);
            await db.Database.MigrateAsync(cancellationToken);
        }

        if (db.Database.IsSqlite())
        {
            // Write-ahead log: a commit appends to the log and readers no longer block the writer. Connections keep
            // synchronous FULL (one fsync per commit); the message intake's own connection commits with NORMAL and
            // fsyncs the log itself before it acknowledges (SqliteMessageInsert). The mode is stored in the database file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "Applying {Count} migration(s) on {Provider}")]
    private static partial void LogMigrating(ILogger logger, string provider, int count);
}
