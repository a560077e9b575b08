using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IoTRoutes.Tests.Core.Storage;

/// <summary>SQL Server cannot run here, so its migrations are checked by generating their script.</summary>
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

    [Theory]
    [InlineData(typeof(SqliteAppDbContext))]
    [InlineData(typeof(PostgreSqlAppDbContext))]
    [InlineData(typeof(SqlServerAppDbContext))]
    public void Each_provider_has_migrations_matching_the_current_model(Type contextType)
    {
        using var db = contextType.Name switch
        {
            nameof(SqliteAppDbContext) => (AppDbContext)new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite("Data Source=:memory:").Options),
            nameof(PostgreSqlAppDbContext) => new PostgreSqlAppDbContext(new DbContextOptionsBuilder<PostgreSqlAppDbContext>().UseNpgsql("Host=unused").Options),
            _ => new SqlServerAppDbContext(new DbContextOptionsBuilder<SqlServerAppDbContext>().UseSqlServer("Server=unused").Options),
        };

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), $"{contextType.Name}: the model changed; add a migration for this provider.");
    }
}
