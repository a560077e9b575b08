using System.Data.Common;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IoTRoutes.Tests.Core.Workflows.Alerts;

/// <summary>
/// Makes concurrent raises really race: the first <c>count</c> lookups of an open alert wait for each other, so every
/// raise has looked and found none before any of them inserts (on its own, SQLite's single writer rarely lets them overlap).
/// </summary>
internal sealed class RaceBarrier(int count) : DbCommandInterceptor
{
    private readonly CountdownEvent _arrived = new(count);
    private int _seen;

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken ct = default)
    {
        var text = command.CommandText;
        if (text.Contains("FROM \"Alerts\"", StringComparison.Ordinal) && text.Contains("\"State\" <> ", StringComparison.Ordinal)
            && Interlocked.Increment(ref _seen) <= _arrived.InitialCount)
        {
            _arrived.Signal();
            Assert.True(await Task.Run(() => _arrived.Wait(TimeSpan.FromSeconds(10))), "Not every raise looked for the open alert.");
        }

        return result;
    }

    /// <summary>Contexts on the same SQLite file whose commands pass the barrier.</summary>
    public IDbContextFactory<AppDbContext> Around(IDbContextFactory<AppDbContext> contexts)
    {
        using var db = contexts.CreateDbContext();
        return new Contexts(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(db.Database.GetConnectionString()).AddInterceptors(this).Options);
    }

    private sealed class Contexts(DbContextOptions<SqliteAppDbContext> options) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext() => new SqliteAppDbContext(options);
    }
}
