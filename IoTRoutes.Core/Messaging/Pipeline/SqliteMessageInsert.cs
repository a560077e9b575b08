using System.Buffers;
using System.Text;
using IoTRoutes.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using SQLitePCL;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>
/// Writes batches of messages to SQLite with one prepared INSERT, bound and stepped once per row, one transaction per
/// batch, straight through SQLite's C API: no SQL text per batch (EF's SaveChanges built, parsed and prepared one each
/// time), no boxing, no strings per value (see docs/benchmarks.md). It keeps its own connection and statement for its
/// whole life. The rows are the ones EF writes: times go through the model's own converter, and a test compares both
/// writers' rows byte for byte. It keeps the message counts itself, one upsert per device and state in each batch, on a
/// connection with triggers off: the count trigger (migration MessageCounts) runs once per row on SQLite, and made each
/// batch take a quarter longer (docs/benchmarks.md).
/// </summary>
/// <remarks>
/// With <c>deferSync</c> (a database in WAL mode) its connection commits without waiting for the disk
/// (<c>synchronous=NORMAL</c>) and <see cref="SyncToDisk"/> makes every commit so far durable with one fsync of the
/// log: the caller acknowledges a batch only after that, and meanwhile writes the next one. SQLite itself syncs the log
/// before each checkpoint and the database after it, so a synced commit survives power loss as with FULL.
/// </remarks>
internal sealed class SqliteMessageInsert : IMessageStore
{
    private const int Done = 101; // SQLITE_DONE

    private static readonly string[] Columns =
    [
        nameof(Message.Id), nameof(Message.DeviceId), nameof(Message.Topic), nameof(Message.Payload), nameof(Message.PayloadSize),
        nameof(Message.QualityOfService), nameof(Message.ReceivedAt), nameof(Message.State), nameof(Message.RejectionReason),
        nameof(Message.ProcessedAt), nameof(Message.Data), nameof(Message.DeviceTime), nameof(Message.FormatId),
        nameof(Message.FormatVersion), nameof(Message.Warnings), nameof(Message.NormalizedData), nameof(Message.RejectionDetails),
    ];

    private const string CountSql =
        "INSERT INTO \"MessageCounts\" (\"DeviceId\", \"State\", \"Count\") VALUES (?1, ?2, ?3) " +
        "ON CONFLICT (\"DeviceId\", \"State\") DO UPDATE SET \"Count\" = \"Count\" + excluded.\"Count\"";

    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _statement;
    private readonly sqlite3_stmt _count;
    private readonly Func<DateTimeOffset, long> _toStored;
    private readonly string? _log;
    private readonly Dictionary<(Guid DeviceId, Lifecycle.MessageState State), long> _counts = [];

    private SqliteMessageInsert(SqliteConnection connection, sqlite3_stmt statement, sqlite3_stmt count, Func<DateTimeOffset, long> toStored, string? log)
    {
        (_connection, _statement, _count, _toStored, _log) = (connection, statement, count, toStored, log);
    }

    /// <summary>Whether commits wait for <see cref="SyncToDisk"/> to be durable (the database is in WAL mode).</summary>
    public bool DefersSync => _log is not null;

    /// <summary>A writer on the database of <paramref name="db"/>, with a connection of its own.</summary>
    public static SqliteMessageInsert Open(AppDbContext db, bool deferSync)
    {
        var table = db.Model.FindEntityType(typeof(Message))!;
        var builder = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA foreign_keys=ON;"); // as EF opens its connections
            // Another writer (the latest field values, an API call) may hold the write lock when a batch begins. SQLite's
            // own busy handler returns as soon as it is released; without it, Microsoft.Data.Sqlite retries BEGIN every
            // 150 ms, and every acknowledgement behind the batch waited that out (docs/benchmarks.md, issue 14).
            SqliteBusyWait.Apply(connection);
            string? log = null;
            if (deferSync && Query(connection, "PRAGMA journal_mode;") is "wal" && connection.DataSource is { Length: > 0 } file)
            {
                Execute(connection, "PRAGMA synchronous=NORMAL;");
                log = file + "-wal";
            }

            var handle = connection.Handle!;
            Check(raw.sqlite3_db_config(handle, raw.SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, out _), handle); // this connection counts by batch
            Check(raw.sqlite3_prepare_v3(handle, InsertSql(table), raw.SQLITE_PREPARE_PERSISTENT, out var statement), handle);
            Check(raw.sqlite3_prepare_v3(handle, CountSql, raw.SQLITE_PREPARE_PERSISTENT, out var count), handle);
            return new SqliteMessageInsert(connection, statement, count, TimeConverter(table), log);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="messages"/> in one transaction: all of them or, on an exception, none.</summary>
    public void Write(IReadOnlyList<Message> messages)
    {
        using var transaction = _connection.BeginTransaction();
        var handle = _connection.Handle!;
        _counts.Clear();
        foreach (var message in messages)
        {
            Bind(_statement, handle, message, _toStored);
            Step(_statement, handle);
            var key = (message.DeviceId, message.State);
            _counts[key] = _counts.GetValueOrDefault(key) + 1;
        }

        foreach (var ((deviceId, state), count) in _counts)
        {
            Check(BindGuid(_count, 1, deviceId), handle);
            Check(raw.sqlite3_bind_int(_count, 2, (int)state), handle);
            Check(raw.sqlite3_bind_int64(_count, 3, count), handle);
            Step(_count, handle);
        }

        transaction.Commit();
    }

    /// <summary>Makes every transaction committed so far durable (one fsync of the write-ahead log); nothing to do without <c>deferSync</c>.</summary>
    public void SyncToDisk()
    {
        if (_log is null)
        {
            return;
        }

        // Any handle of the file will do: fsync writes out the file's data whoever wrote it. Opened each time, so a log
        // SQLite has replaced is never missed.
        using var log = new FileStream(_log, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        log.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        _statement.Dispose();
        _count.Dispose();
        _connection.Dispose();
    }

    private static void Step(sqlite3_stmt statement, sqlite3 handle)
    {
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != Done)
        {
            SqliteException.ThrowExceptionForRC(rc, handle);
        }
    }

    private static void Bind(sqlite3_stmt statement, sqlite3 handle, Message message, Func<DateTimeOffset, long> toStored)
    {
        // A bind that fails would leave the previous row's value in place (reset keeps bindings): every one is checked.
        Check(BindGuid(statement, 1, message.Id), handle);
        Check(BindGuid(statement, 2, message.DeviceId), handle);
        Check(BindText(statement, 3, message.Topic), handle);
        Check(message.Payload.Length == 0
            ? raw.sqlite3_bind_zeroblob(statement, 4, 0) // an empty span would bind NULL
            : raw.sqlite3_bind_blob(statement, 4, message.Payload), handle);
        Check(raw.sqlite3_bind_int(statement, 5, message.PayloadSize), handle);
        Check(raw.sqlite3_bind_int(statement, 6, message.QualityOfService), handle);
        Check(raw.sqlite3_bind_int64(statement, 7, toStored(message.ReceivedAt)), handle);
        Check(raw.sqlite3_bind_int(statement, 8, (int)message.State), handle);
        Check(message.RejectionReason is { } reason ? BindText(statement, 9, reason) : raw.sqlite3_bind_null(statement, 9), handle);
        Check(message.ProcessedAt is { } processed ? raw.sqlite3_bind_int64(statement, 10, toStored(processed)) : raw.sqlite3_bind_null(statement, 10), handle);
        Check(message.Data is { } data ? BindText(statement, 11, data) : raw.sqlite3_bind_null(statement, 11), handle);
        Check(message.DeviceTime is { } deviceTime ? raw.sqlite3_bind_int64(statement, 12, toStored(deviceTime)) : raw.sqlite3_bind_null(statement, 12), handle);
        Check(message.FormatId is { } formatId ? BindGuid(statement, 13, formatId) : raw.sqlite3_bind_null(statement, 13), handle);
        Check(message.FormatVersion is { } version ? raw.sqlite3_bind_int(statement, 14, version) : raw.sqlite3_bind_null(statement, 14), handle);
        Check(message.Warnings is { } warnings ? BindText(statement, 15, warnings) : raw.sqlite3_bind_null(statement, 15), handle);
        Check(message.NormalizedData is { } normalized ? BindText(statement, 16, normalized) : raw.sqlite3_bind_null(statement, 16), handle);
        Check(message.RejectionDetails is { } details ? BindText(statement, 17, details) : raw.sqlite3_bind_null(statement, 17), handle);
    }

    /// <summary>As EF stores a Guid in SQLite: upper-case text, 8-4-4-4-12.</summary>
    private static int BindGuid(sqlite3_stmt statement, int index, Guid value)
    {
        Span<byte> text = stackalloc byte[36];
        value.TryFormat(text, out _, "D");
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is >= (byte)'a' and <= (byte)'f')
            {
                text[i] -= 'a' - 'A';
            }
        }

        return raw.sqlite3_bind_text(statement, index, text);
    }

    /// <summary>UTF-8 encoded as Microsoft.Data.Sqlite (under EF) encodes it, invalid UTF-16 included.</summary>
    private static int BindText(sqlite3_stmt statement, int index, string value)
    {
        if (value.Length == 0)
        {
            return raw.sqlite3_bind_text(statement, index, string.Empty); // an empty span would bind NULL
        }

        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        var rented = length > 4096 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            var buffer = rented ?? stackalloc byte[length];
            var written = Encoding.UTF8.GetBytes(value, buffer);
            return raw.sqlite3_bind_text(statement, index, buffer[..written]); // SQLite copies it (SQLITE_TRANSIENT)
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string? Query(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }

    private static Func<DateTimeOffset, long> TimeConverter(IEntityType table) =>
        table.FindProperty(nameof(Message.ReceivedAt))!.GetTypeMapping().Converter is ValueConverter<DateTimeOffset, long> converter
            ? converter.ConvertToProviderTyped
            : throw new InvalidOperationException("SQLite stores times as 64-bit numbers (SqliteAppDbContext); the message writer depends on it.");

    private static string InsertSql(IEntityType table)
    {
        var columns = Columns.Select(name => $"\"{table.FindProperty(name)!.GetColumnName()}\"").ToArray();
        return $"INSERT INTO \"{table.GetTableName()}\" ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => $"?{i + 1}"))})";
    }

    private static void Check(int rc, sqlite3 handle)
    {
        if (rc != 0)
        {
            SqliteException.ThrowExceptionForRC(rc, handle);
        }
    }
}
