using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging.Telemetry;

/// <summary>A window of a device's decoded fields: which fields (all numeric ones when none is named), from, to, how many messages.</summary>
public sealed record SeriesQuery(IReadOnlyList<string>? Fields = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = SeriesQuery.DefaultLimit)
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;
    public const int MaxFields = 20;

    public IReadOnlyDictionary<string, string[]>? Validate()
    {
        var errors = QueryWindow.Check(Limit, MaxLimit, From, To);
        if (Fields is { Count: > MaxFields }) errors["fields"] = [$"At most {MaxFields} fields."];
        return errors.Count == 0 ? null : errors;
    }
}

/// <summary>One field over time: only the points where a message had it (a field missing from a message is a gap, not a zero).</summary>
public sealed record FieldSeries(string Name, string? Unit, IReadOnlyList<SeriesPoint> Points);

public sealed record SeriesPoint(DateTimeOffset At, double Value);

/// <summary>
/// Time series of a device's decoded numeric fields, on the time each value was measured (the device's timestamp, else
/// the receive time), and of the fields workflows computed for it (<see cref="ComputedTelemetry"/>): for charts and for
/// CSV export.
/// </summary>
public sealed class TelemetrySeries(ScopedContexts contexts)
{
    /// <summary>A payload read as a JSON object for a device without a profile: larger ones are not telemetry worth a chart.</summary>

    /// <summary>The series; null when the device is not in the caller's scope.</summary>
    public async Task<IReadOnlyList<FieldSeries>?> SeriesAsync(Guid deviceId, SeriesQuery query, CancellationToken ct) =>
        await ReadAsync(deviceId, query, Permission.View(SecuredObject.Messages), ct);

    /// <summary>The same window as CSV (time, then one column per field, empty where a message lacked it); null when out of scope.</summary>
    public async Task<string?> CsvAsync(Guid deviceId, SeriesQuery query, CancellationToken ct)
    {
        if (await ReadAsync(deviceId, query, Permission.Of(SecuredActions.MessagesExport), ct) is not { } series)
        {
            return null;
        }

        var rows = new SortedDictionary<DateTimeOffset, double?[]>();
        for (var i = 0; i < series.Count; i++)
        {
            foreach (var point in series[i].Points)
            {
                if (!rows.TryGetValue(point.At, out var row)) rows[point.At] = row = new double?[series.Count];
                row[i] = point.Value;
            }
        }

        var csv = new StringBuilder("time");
        foreach (var s in series) csv.Append(',').Append(Quote(s.Unit is null ? s.Name : $"{s.Name} ({s.Unit})"));
        csv.Append('\n');
        foreach (var (at, values) in rows)
        {
            csv.Append(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            foreach (var value in values) csv.Append(',').Append(value?.ToString("R", CultureInfo.InvariantCulture));
            csv.Append('\n');
        }

        return csv.ToString();
    }

    private async Task<IReadOnlyList<FieldSeries>?> ReadAsync(Guid deviceId, SeriesQuery query, Permission permission, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(permission, ct);
        await using var _db = db;
        if (!await db.Devices.AnyAsync(d => d.Id == deviceId, ct))
        {
            return null;
        }

        return await ReadAsync(db, deviceId, query, ct);
    }

    /// <summary>The series as the platform reads them (a job's report): no caller, the scope is the caller's concern.</summary>
    internal static async Task<IReadOnlyList<FieldSeries>> ReadAsync(Storage.AppDbContext db, Guid deviceId, SeriesQuery query, CancellationToken ct)
    {
        // Messages of devices without a profile have no decoded data: their payload, a JSON object, is what they said.
        var messages = db.Messages.AsNoTracking().Where(m => m.DeviceId == deviceId && m.State == MessageState.Processed && (m.Data != null || m.FormatId == null));
        if (query.From?.ToUniversalTime() is { } from) messages = messages.Where(m => m.ReceivedAt >= from);
        if (query.To?.ToUniversalTime() is { } to) messages = messages.Where(m => m.ReceivedAt <= to);
        var rows = await messages.OrderByDescending(m => m.ReceivedAt).Take(query.Limit)
            .Select(m => new { m.Data, m.NormalizedData, Payload = m.Data == null && m.PayloadSize <= Formats.PlainJsonFields.MaxPayload ? m.Payload : null, m.DeviceTime, m.ReceivedAt }).ToListAsync(ct);
        var units = await db.FieldValues.AsNoTracking().Where(v => v.DeviceId == deviceId).ToDictionaryAsync(v => v.Name, v => v.Unit, ct);

        // Fields workflows computed (SaveTelemetry), by the time they hold for: beside the messages' fields, same window and limit.
        var computed = db.ComputedTelemetry.AsNoTracking().Where(c => c.DeviceId == deviceId);
        if (query.From?.ToUniversalTime() is { } computedFrom) computed = computed.Where(c => c.At >= computedFrom);
        if (query.To?.ToUniversalTime() is { } computedTo) computed = computed.Where(c => c.At <= computedTo);
        var computedRows = await computed.OrderByDescending(c => c.At).Take(query.Limit).Select(c => new { c.At, c.Fields }).ToListAsync(ct);

        var wanted = query.Fields is { Count: > 0 } fields ? fields.ToHashSet(StringComparer.Ordinal) : null;
        var points = new Dictionary<string, List<SeriesPoint>>(StringComparer.Ordinal);
        void Add(string name, JsonNode? value, DateTimeOffset at)
        {
            if ((wanted is null || wanted.Contains(name)) && value is JsonValue v && v.TryGetValue<double>(out var number) && double.IsFinite(number)
                && (points.ContainsKey(name) || points.Count < SeriesQuery.MaxFields))
            {
                if (!points.TryGetValue(name, out var list)) points[name] = list = [];
                list.Add(new SeriesPoint(at, number));
            }
        }

        foreach (var row in rows.OrderBy(r => r.DeviceTime ?? r.ReceivedAt))
        {
            var at = row.DeviceTime ?? row.ReceivedAt;
            var normalized = row.NormalizedData is null ? null : JsonNode.Parse(row.NormalizedData);
            foreach (var field in Formats.FormatFields.Of(Formats.PlainJsonFields.ObjectOf(row.Data, row.Payload), normalized, _ => null))
            {
                Add(field.Name, field.Value, at);
            }
        }

        foreach (var row in computedRows.OrderBy(r => r.At))
        {
            foreach (var (name, value) in Formats.PlainJsonFields.ObjectOf(row.Fields, null) ?? [])
            {
                Add(name, value, row.At);
            }
        }

        var order = wanted is null ? points.Keys.ToList() : query.Fields!.Where(points.ContainsKey).ToList();
        return order.ConvertAll(name => new FieldSeries(name, units.GetValueOrDefault(name), [.. points[name].OrderBy(p => p.At)]));
    }

    // A spreadsheet evaluates a cell starting with = + - @ (or a tab or CR before one) even inside quotes: field names
    // come from devices, so such a name is written with a leading apostrophe, as text.
    private static string Quote(string text)
    {
        if (text.Length > 0 && "=+-@\t\r".Contains(text[0])) text = "'" + text;
        return text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : "\"" + text.Replace("\"", "\"\"") + "\"";
    }
}
