using Npgsql;
using NpgsqlTypes;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>
/// Writes a batch of messages with PostgreSQL's binary COPY: one streamed command instead of an INSERT with ten
/// parameters per row. Runs in the caller's transaction, so the batch is still committed whole or not at all.
/// </summary>
internal static class PostgresMessageCopy
{
    private const string Command =
        "COPY \"Messages\" (\"Id\", \"DeviceId\", \"Topic\", \"Payload\", \"PayloadSize\", \"QualityOfService\", \"ReceivedAt\", \"State\", \"RejectionReason\", \"ProcessedAt\") FROM STDIN (FORMAT BINARY)";

    public static async Task WriteAsync(NpgsqlConnection connection, IEnumerable<Message> messages)
    {
        await using var copy = await connection.BeginBinaryImportAsync(Command);
        foreach (var m in messages)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(m.Id, NpgsqlDbType.Uuid);
            await copy.WriteAsync(m.DeviceId, NpgsqlDbType.Uuid);
            await copy.WriteAsync(m.Topic, NpgsqlDbType.Varchar);
            await copy.WriteAsync(m.Payload, NpgsqlDbType.Bytea);
            await copy.WriteAsync(m.PayloadSize, NpgsqlDbType.Integer);
            await copy.WriteAsync(m.QualityOfService, NpgsqlDbType.Integer);
            await copy.WriteAsync(m.ReceivedAt, NpgsqlDbType.TimestampTz);
            await copy.WriteAsync((int)m.State, NpgsqlDbType.Integer);
            if (m.RejectionReason is { } reason)
            {
                await copy.WriteAsync(reason, NpgsqlDbType.Varchar);
            }
            else
            {
                await copy.WriteNullAsync();
            }

            if (m.ProcessedAt is { } processed)
            {
                await copy.WriteAsync(processed, NpgsqlDbType.TimestampTz);
            }
            else
            {
                await copy.WriteNullAsync();
            }
        }

        await copy.CompleteAsync();
    }
}
