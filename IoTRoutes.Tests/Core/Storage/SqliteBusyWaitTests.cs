using IoTRoutes.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Core.Storage;

/// <summary>The platform's EF connections to SQLite wait for a held write lock with SQLite's busy handler, not 150 ms sleeps.</summary>
public sealed class SqliteBusyWaitTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"iotroutes-busy-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Every_connection_the_platform_opens_has_sqlites_busy_timeout_set_to_its_command_timeout()
    {
        await using var provider = Services();
        var contexts = provider.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();

        var timeout = await Scalar(db, "PRAGMA busy_timeout;");

        var connection = (SqliteConnection)db.Database.GetDbConnection();
        Assert.Equal(connection.DefaultTimeout * 1000L, timeout);
        Assert.Equal(30_000L, timeout);
    }

    [Fact]
    public async Task A_write_that_meets_another_connections_write_lock_goes_through_once_it_is_released()
    {
        await using var provider = Services();
        var contexts = provider.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using (var setup = await contexts.CreateDbContextAsync())
        {
            await setup.Database.ExecuteSqlRawAsync("CREATE TABLE Probe (Value INTEGER);");
        }

        await using var holder = new SqliteConnection($"Data Source={_path};Pooling=false");
        await holder.OpenAsync();
        await using var locking = holder.CreateCommand();
        locking.CommandText = "BEGIN IMMEDIATE; INSERT INTO Probe VALUES (1);";
        await locking.ExecuteNonQueryAsync();

        await using var db = await contexts.CreateDbContextAsync();
        var write = Task.Run(() => db.Database.ExecuteSqlRawAsync("INSERT INTO Probe VALUES (2);"));
        await Task.Delay(100);
        Assert.False(write.IsCompleted); // it waits for the lock rather than failing
        await using (var commit = holder.CreateCommand())
        {
            commit.CommandText = "COMMIT;";
            await commit.ExecuteNonQueryAsync();
        }

        Assert.Equal(1, await write);
        Assert.Equal(3L, await Scalar(db, "SELECT SUM(Value) FROM Probe;"));
    }

    private ServiceProvider Services()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:IoTRoutes"] = $"Data Source={_path}",
        }).Build();
        return new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddStorage(configuration).BuildServiceProvider();
    }

    private static async Task<long> Scalar(AppDbContext db, string sql)
    {
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" }) File.Delete(file);
    }
}
