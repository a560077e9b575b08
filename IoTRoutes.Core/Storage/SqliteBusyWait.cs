using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SQLitePCL;

namespace IoTRoutes.Core.Storage;

/// <summary>
/// Makes every EF connection to SQLite wait for a held write lock with SQLite's own busy handler, as the intake's
/// connection does. Without it Microsoft.Data.Sqlite meets SQLITE_BUSY by sleeping 150 ms on the calling thread and trying
/// again: the workflow runner, whose commits meet the intake's write lock several times a second, slept 150–450 ms per
/// commit on a pool thread (docs/benchmarks.md, issue 15). SQLite's handler retries within milliseconds of the release.
/// </summary>
internal sealed class SqliteBusyWait : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection sqlite) Apply(sqlite);
    }

    /// <summary>Sets SQLite's busy handler on an open connection, waiting up to its command timeout (the intake's own connection too).</summary>
    internal static void Apply(SqliteConnection connection)
    {
        if (connection.Handle is not { } handle) return;
        var rc = raw.sqlite3_busy_timeout(handle, connection.DefaultTimeout * 1000);
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, handle);
    }
}
