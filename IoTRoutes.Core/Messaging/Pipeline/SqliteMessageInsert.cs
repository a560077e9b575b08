using System.Data.Common;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>
/// Writes a batch of messages to SQLite with one prepared INSERT, bound and stepped once per row, in one transaction.
/// EF's SaveChanges spent most of the writer's time building, parsing and preparing a new multi-statement SQL text
/// for every batch (see docs/benchmarks.md). Values go through EF's own type mappings and converters, so the rows are
/// exactly the ones EF would have written.
/// </summary>
internal static class SqliteMessageInsert
{
    private static readonly (string Property, Func<Message, object?> Value)[] Columns =
    [
        (nameof(Message.Id), m => m.Id),
        (nameof(Message.DeviceId), m => m.DeviceId),
        (nameof(Message.Topic), m => m.Topic),
        (nameof(Message.Payload), m => m.Payload),
        (nameof(Message.PayloadSize), m => m.PayloadSize),
        (nameof(Message.QualityOfService), m => m.QualityOfService),
        (nameof(Message.ReceivedAt), m => m.ReceivedAt),
        (nameof(Message.State), m => m.State),
        (nameof(Message.RejectionReason), m => m.RejectionReason),
        (nameof(Message.ProcessedAt), m => m.ProcessedAt),
    ];

    public static async Task WriteAsync(AppDbContext db, IEnumerable<Message> messages)
    {
        var table = db.Model.FindEntityType(typeof(Message))!;
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;

        var parameters = new (DbParameter Parameter, Func<Message, object?> Value, Func<object?, object?>? ToProvider)[Columns.Length];
        var names = new string[Columns.Length];
        for (var i = 0; i < Columns.Length; i++)
        {
            var property = table.FindProperty(Columns[i].Property)!;
            var mapping = (RelationalTypeMapping)property.GetTypeMapping();
            var parameter = mapping.CreateParameter(command, $"$p{i}", null, nullable: true);
            command.Parameters.Add(parameter);
            parameters[i] = (parameter, Columns[i].Value, mapping.Converter?.ConvertToProvider);
            names[i] = $"\"{property.GetColumnName()}\"";
        }

        command.CommandText = $"INSERT INTO \"{table.GetTableName()}\" ({string.Join(", ", names)}) VALUES ({string.Join(", ", parameters.Select(p => p.Parameter.ParameterName))})";
        command.Prepare();
        foreach (var message in messages)
        {
            foreach (var (parameter, value, toProvider) in parameters)
            {
                var model = value(message);
                parameter.Value = (model is null ? null : toProvider is null ? model : toProvider(model)) ?? DBNull.Value;
            }

            // Synchronous on purpose: Microsoft.Data.Sqlite has no asynchronous I/O, its *Async methods only add a task.
            command.ExecuteNonQuery();
        }

        await transaction.CommitAsync();
    }
}
