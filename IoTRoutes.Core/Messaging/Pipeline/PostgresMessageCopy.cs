using Npgsql;
using NpgsqlTypes;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>
/// Writes a batch of messages with PostgreSQL's binary COPY: one streamed command instead of an INSERT with ten
/// parameters per row; a single statement, so the batch is committed whole or not at all. Keeps its connection
/// between batches (a new one after a failure).
/// </summary>
internal sealed class PostgresMessageCopy(string connectionString) : IMessageStore
{
    private const string Command =
        "COPY \"Messages\" (\"Id\", \"DeviceId\", \"Topic\", \"Payload\", \"PayloadSize\", \"QualityOfService\", \"ReceivedAt\", \"State\", \"RejectionReason\", \"ProcessedAt\", \"Data\", \"DeviceTime\", \"FormatId\", \"FormatVersion\", \"Warnings\", \"NormalizedData\", \"RejectionDetails\") FROM STDIN (FORMAT BINARY)";

    private NpgsqlConnection? _connection;

    public bool DefersSync => false; // the commit waits for the server's WAL flush

    public void Write(IReadOnlyList<Message> messages)
    {
        try
        {
            // One COPY is one statement, hence its own transaction: all rows or none, and PostgreSQL reports it complete
            // only after its commit (with synchronous_commit, after the WAL flush). No BEGIN/COMMIT round trips.
            Copy(_connection ??= Open(connectionString), messages);
        }
        catch
        {
            _connection?.Dispose(); // whatever state it is in, the next batch starts on a fresh connection
            _connection = null;
            throw;
        }
    }

    public void SyncToDisk()
    {
    }

    public void Dispose() => _connection?.Dispose();

    private static NpgsqlConnection Open(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Copy(NpgsqlConnection connection, IReadOnlyList<Message> messages)
    {
        using var copy = connection.BeginBinaryImport(Command);
        foreach (var m in messages)
        {
            copy.StartRow();
            copy.Write(m.Id, NpgsqlDbType.Uuid);
            copy.Write(m.DeviceId, NpgsqlDbType.Uuid);
            copy.Write(m.Topic, NpgsqlDbType.Varchar);
            copy.Write(m.Payload, NpgsqlDbType.Bytea);
            copy.Write(m.PayloadSize, NpgsqlDbType.Integer);
            copy.Write(m.QualityOfService, NpgsqlDbType.Integer);
            copy.Write(m.ReceivedAt, NpgsqlDbType.TimestampTz);
            copy.Write((int)m.State, NpgsqlDbType.Integer);
            if (m.RejectionReason is { } reason)
            {
                copy.Write(reason, NpgsqlDbType.Varchar);
            }
            else
            {
                copy.WriteNull();
            }

            if (m.ProcessedAt is { } processed)
            {
                copy.Write(processed, NpgsqlDbType.TimestampTz);
            }
            else
            {
                copy.WriteNull();
            }

            WriteOrNull(copy, m.Data, NpgsqlDbType.Text);
            WriteOrNull(copy, m.DeviceTime, NpgsqlDbType.TimestampTz);
            WriteOrNull(copy, m.FormatId, NpgsqlDbType.Uuid);
            WriteOrNull(copy, m.FormatVersion, NpgsqlDbType.Integer);
            WriteOrNull(copy, m.Warnings, NpgsqlDbType.Varchar);
            WriteOrNull(copy, m.NormalizedData, NpgsqlDbType.Text);
            WriteOrNull(copy, m.RejectionDetails, NpgsqlDbType.Varchar);
        }

        copy.Complete();
    }

    private static void WriteOrNull<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type)
    {
        if (value is null) copy.WriteNull();
        else copy.Write(value, type);
    }
}
