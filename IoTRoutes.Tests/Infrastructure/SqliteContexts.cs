using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Tests.Infrastructure;

/// <summary>A migrated SQLite file of its own, for Core tests that need a real database without the web host.</summary>
public sealed class SqliteContexts : IDbContextFactory<AppDbContext>, IAsyncDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"iotroutes-core-{Guid.NewGuid():N}.db");
    private readonly DbContextOptions<SqliteAppDbContext> _options;

    private SqliteContexts()
    {
        _options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite($"Data Source={_path};Pooling=false").Options;
    }

    public static async Task<SqliteContexts> CreateAsync()
    {
        var contexts = new SqliteContexts();
        await using var db = contexts.CreateDbContext();
        await db.Database.MigrateAsync();
        return contexts;
    }

    public AppDbContext CreateDbContext() => new SqliteAppDbContext(_options);

    /// <summary>Contexts as a caller in <paramref name="scope"/> gets them (the root entity and every permission by default).</summary>
    public ScopedContexts Scoped(EntityScope? scope = null, EffectivePermissions? permissions = null) =>
        new(this, new FixedCaller(scope ?? FixedCaller.Root, permissions));

    /// <summary>Device profiles as a caller in <paramref name="scoped"/>'s scope manages them.</summary>
    public IoTRoutes.Core.Messaging.Profiles.ProfileService Profiles(ScopedContexts scoped, TimeProvider clock) =>
        new(scoped, new IoTRoutes.Core.Messaging.Formats.FormatCatalog(this, clock), clock, new IoTRoutes.Core.Security.Audit.AuditTrail(this, clock));

    public ValueTask DisposeAsync()
    {
        File.Delete(_path);
        return ValueTask.CompletedTask;
    }
}
