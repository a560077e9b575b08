using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using IoTRoutes.Core.Security.Audit;

namespace IoTRoutes.Core.Messaging.Explorer;

public enum ExportFormat
{
    Csv,
    Json,
}

/// <summary>
/// Writes the messages of a filter as CSV (RFC 4180) or a JSON array, as they are read: a chunk is written and flushed
/// before the next is read, so an export of millions of rows holds one chunk. Each export is audited (what was asked,
/// by whom) before the first row is written.
/// </summary>
public sealed class MessageExport(MessageExplorer explorer, AuditTrail audit)
{
    private const int FlushEvery = 200;

    /// <summary>As the API writes a message (states by name), with quotes and non-ASCII text left readable: this is a file, not markup.</summary>
    private static readonly JsonSerializerOptions ExportJson = new(JsonSerializerOptions.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly string[] CsvColumns =
        ["id", "receivedAt", "deviceId", "deviceKey", "deviceName", "topic", "state", "rejectionReason", "formatId", "formatVersion", "payloadSize", "payload", "data"];

    /// <summary>A writer of the export, or errors naming the filter's bad parameter.</summary>
    public async Task<(Func<Stream, CancellationToken, Task>? Write, IReadOnlyDictionary<string, string[]>? Errors)> StartAsync(
        MessageFilter filter, ExportFormat format, CancellationToken ct)
    {
        var (messages, caller, errors) = await explorer.StreamAsync(filter, ct);
        if (messages is null)
        {
            return (null, errors);
        }

        await audit.RecordAsync(AuditActions.MessagesExported, caller!, format.ToString().ToUpperInvariant(), filter.ToString(), ct);
        return (format == ExportFormat.Csv ? (s, t) => WriteCsvAsync(messages, s, t) : (s, t) => WriteJsonAsync(messages, s, t), null);
    }

    private static async Task WriteCsvAsync(IAsyncEnumerable<MessageDto> messages, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(string.Join(',', CsvColumns));
        var rows = 0;
        await foreach (var m in messages.WithCancellation(ct))
        {
            await writer.WriteLineAsync(string.Join(',',
                Field(m.Id.ToString()), Field(m.ReceivedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)), Field(m.DeviceId.ToString()),
                Field(m.DeviceKey), Field(m.DeviceName), Field(m.Topic), Field(m.State.ToString()), Field(m.RejectionReason),
                Field(m.FormatId?.ToString()), Field(m.FormatVersion?.ToString(CultureInfo.InvariantCulture)),
                Field(m.PayloadSize.ToString(CultureInfo.InvariantCulture)), Field(m.Payload), Field(m.Data?.ToJsonString())));
            if (++rows % FlushEvery == 0)
            {
                await writer.FlushAsync(ct);
            }
        }

        await writer.FlushAsync(ct);
    }

    private static async Task WriteJsonAsync(IAsyncEnumerable<MessageDto> messages, Stream output, CancellationToken ct)
    {
        // The serializer flushes its writer synchronously: it writes into a pipe, which goes to the response asynchronously.
        var pipe = PipeWriter.Create(output, new StreamPipeWriterOptions(leaveOpen: true));
        await using (var json = new Utf8JsonWriter(pipe, new JsonWriterOptions { Encoder = ExportJson.Encoder }))
        {
            json.WriteStartArray();
            var rows = 0;
            await foreach (var m in messages.WithCancellation(ct))
            {
                JsonSerializer.Serialize(json, m, ExportJson);
                if (++rows % FlushEvery == 0)
                {
                    await pipe.FlushAsync(ct);
                }
            }

            json.WriteEndArray();
        }

        await pipe.CompleteAsync();
    }

    /// <summary>A CSV field, quoted when needed; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it.</summary>
    private static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
