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
/// Writes a batch of messages to SQLite with one prepared INSERT, bound and stepped once per row, in one transaction,
/// straight through SQLite's C API: no SQL text per batch (EF's SaveChanges built, parsed and prepared one each time),
/// no boxing, no strings per value (see docs/benchmarks.md). The rows are the ones EF writes: times go through the
/// model's own converter, and a test compares both writers' rows byte for byte.
/// </summary>
internal static class SqliteMessageInsert
{
    private const int Done = 101; // SQLITE_DONE

    private static readonly string[] Columns =
    [
        nameof(Message.Id), nameof(Message.DeviceId), nameof(Message.Topic), nameof(Message.Payload), nameof(Message.PayloadSize),
        nameof(Message.QualityOfService), nameof(Message.ReceivedAt), nameof(Message.State), nameof(Message.RejectionReason),
        nameof(Message.ProcessedAt),
    ];

    public static async Task WriteAsync(AppDbContext db, IEnumerable<Message> messages)
    {
        var table = db.Model.FindEntityType(typeof(Message))!;
        var toStored = TimeConverter(table);
        await db.Database.OpenConnectionAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync();
        var handle = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(handle, InsertSql(table), out var statement), handle);
        using (statement)
        {
            foreach (var message in messages)
            {
                Bind(statement, handle, message, toStored);
                var rc = raw.sqlite3_step(statement);
                raw.sqlite3_reset(statement);
                if (rc != Done)
                {
                    SqliteException.ThrowExceptionForRC(rc, handle);
                }
            }
        }

        await transaction.CommitAsync();
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
