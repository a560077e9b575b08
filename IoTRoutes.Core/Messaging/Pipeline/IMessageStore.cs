using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>One intake writer's way into the database: a batch in one transaction, synchronously (writers run on threads of their own).</summary>
internal interface IMessageStore : IDisposable
{
    /// <summary>Whether a written batch is durable only after <see cref="SyncToDisk"/>.</summary>
    bool DefersSync { get; }

    /// <summary>Writes <paramref name="messages"/> in one transaction: all of them or, on an exception, none.</summary>
    void Write(IReadOnlyList<Message> messages);

    /// <summary>Makes every batch written so far durable; may run on another thread than <see cref="Write"/>.</summary>
    void SyncToDisk();
}

internal static class MessageStores
{
    /// <summary>The fastest writer the configured database has (see docs/architecture.md).</summary>
    public static IMessageStore Open(IDbContextFactory<AppDbContext> contexts, bool deferSync)
    {
        using var db = contexts.CreateDbContext();
        return db switch
        {
            SqliteAppDbContext => SqliteMessageInsert.Open(db, deferSync),
            PostgreSqlAppDbContext => new PostgresMessageCopy(db.Database.GetConnectionString()!),
            _ => new EfMessageStore(contexts),
        };
    }

    /// <summary>SQL Server: EF's SaveChanges, without change detection.</summary>
    private sealed class EfMessageStore(IDbContextFactory<AppDbContext> contexts) : IMessageStore
    {
        public bool DefersSync => false;

        public void Write(IReadOnlyList<Message> messages)
        {
            using var db = contexts.CreateDbContext();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Messages.AddRange(messages);
            db.SaveChanges();
        }

        public void SyncToDisk()
        {
        }

        public void Dispose()
        {
        }
    }
}
