using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IoTRoutes.Tests.Core.Storage;

/// <summary>SQL Server cannot run here, so its migrations are checked by generating their script; SQLite ones also by running them.</summary>
public sealed class MigrationTests
{
    [Fact]
    public void The_sql_server_migrations_generate_a_script_that_creates_every_table()
    {
        using var db = new SqlServerAppDbContext(new DbContextOptionsBuilder<SqlServerAppDbContext>()
            .UseSqlServer("Server=unused;Database=unused").Options);

        var script = db.GetService<IMigrator>().GenerateScript();

        foreach (var table in new[] { "Users", "RefreshTokens", "Devices", "Messages" })
        {
            Assert.Contains($"CREATE TABLE [{table}]", script);
        }

        Assert.Contains("CREATE UNIQUE INDEX [IX_Devices_Key]", script);
        Assert.Contains("datetimeoffset", script);
    }

    [Fact]
    public async Task A_broker_stored_before_the_receive_maximum_and_connect_limits_existed_gets_their_defaults()
    {
        var path = Path.Combine(Path.GetTempPath(), $"iotroutes-migration-{Guid.NewGuid():N}.db");
        var options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite($"Data Source={path};Pooling=false").Options;
        try
        {
            await using (var before = new SqliteAppDbContext(options))
            {
                await before.GetService<IMigrator>().MigrateAsync("MessageCounts");
                var id = Guid.NewGuid().ToString().ToUpperInvariant();
                var entityId = RootEntity.Id.ToString().ToUpperInvariant();
                await before.Database.ExecuteSqlAsync($"""
                    INSERT INTO "Brokers" ("Id", "Name", "EntityId", "Enabled", "BindAddress", "Port", "TlsPort", "Protocols", "MaxConnections",
                        "MaxPayloadBytes", "MaxKeepAliveSeconds", "PersistentSessions", "SessionExpirySeconds", "MaxQueuedMessages", "AllowAnonymous",
                        "Authentication", "DeniedSubscriptions", "MaxConnectAttemptsPerMinute", "WebSockets", "CreatedAt")
                    VALUES ({id}, 'stored before', {entityId}, 0, '0.0.0.0', 1883, NULL, 3, 10000, 262144, 0, 1, 86400, 1000, 0, 'Secret', '', 600, 0, 0)
                    """);
            }

            await using var after = new SqliteAppDbContext(options);
            await after.Database.MigrateAsync();

            var broker = await after.Brokers.SingleAsync(b => b.Name == "stored before");
            Assert.Equal(100, broker.ReceiveMaximum);
            Assert.Equal((10, 1000, 64), (broker.ConnectTimeoutSeconds, broker.MaxPendingConnects, broker.MaxPendingConnectsPerAddress));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(typeof(SqliteAppDbContext), "ALTER TABLE \"Brokers\" ADD \"ReceiveMaximum\" INTEGER NOT NULL DEFAULT 100;")]
    [InlineData(typeof(PostgreSqlAppDbContext), "ALTER TABLE \"Brokers\" ADD \"ReceiveMaximum\" integer NOT NULL DEFAULT 100;")]
    [InlineData(typeof(SqlServerAppDbContext), "ALTER TABLE [Brokers] ADD [ReceiveMaximum] int NOT NULL DEFAULT 100;")]
    public void Each_provider_adds_the_receive_maximum_with_a_default_of_100(Type contextType, string statement)
    {
        using var db = Create(contextType);

        var script = db.GetService<IMigrator>().GenerateScript("MessageCounts", "BrokerReceiveMaximum");

        Assert.Contains(statement, script);
    }

    [Theory]
    [InlineData(typeof(SqliteAppDbContext))]
    [InlineData(typeof(PostgreSqlAppDbContext))]
    [InlineData(typeof(SqlServerAppDbContext))]
    public void Each_provider_has_migrations_matching_the_current_model(Type contextType)
    {
        using var db = Create(contextType);

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), $"{contextType.Name}: the model changed; add a migration for this provider.");
    }

    private static AppDbContext Create(Type contextType) => contextType.Name switch
    {
        nameof(SqliteAppDbContext) => new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite("Data Source=:memory:").Options),
        nameof(PostgreSqlAppDbContext) => new PostgreSqlAppDbContext(new DbContextOptionsBuilder<PostgreSqlAppDbContext>().UseNpgsql("Host=unused").Options),
        _ => new SqlServerAppDbContext(new DbContextOptionsBuilder<SqlServerAppDbContext>().UseSqlServer("Server=unused").Options),
    };
}
