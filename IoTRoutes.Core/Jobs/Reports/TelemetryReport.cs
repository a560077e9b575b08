using IoTRoutes.Core.Messaging.Telemetry;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Alerts;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Jobs.Reports;

/// <summary>One field of one device over the period: how many values, their min, max and mean.</summary>
public sealed record FieldSummary(string Name, string? Unit, int Count, double Min, double Max, double Mean);

/// <summary>A device in a report: its fields' summaries, the alerts raised on it in the period, and the series (for charts).</summary>
public sealed record DeviceReport(Guid Id, string Name, string EntityName, IReadOnlyList<FieldSummary> Fields, int Alerts, IReadOnlyList<FieldSeries> Series);

/// <summary>A telemetry summary per device over a period.</summary>
public sealed record TelemetryReport(string Title, DateTimeOffset From, DateTimeOffset To, DateTimeOffset MadeAt, IReadOnlyList<DeviceReport> Devices)
{
    /// <summary>Messages read per device: a report covers a period, not a device's whole history at any cost.</summary>
    public const int MaxMessagesPerDevice = SeriesQuery.MaxLimit;

    public const int MaxDevices = 200;

    /// <summary>Reads the devices' telemetry and alerts over the period (the platform's read: the job's scope is the caller's concern).</summary>
    public static async Task<TelemetryReport> BuildAsync(
        AppDbContext db, string title, IReadOnlyList<Guid> deviceIds, IReadOnlyList<string>? fields, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now,
        CancellationToken ct)
    {
        var devices = await db.Devices.IgnoreQueryFilters().Where(d => deviceIds.Contains(d.Id)).OrderBy(d => d.Name)
            .Select(d => new { d.Id, d.Name, EntityName = d.Entity!.Name }).ToListAsync(ct);
        var alerts = await db.Alerts.IgnoreQueryFilters().Where(a => deviceIds.Contains(a.DeviceId) && a.FirstRaisedAt < to && a.LastRaisedAt >= from)
            .GroupBy(a => a.DeviceId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var reports = new List<DeviceReport>(devices.Count);
        foreach (var device in devices)
        {
            var series = await TelemetrySeries.ReadAsync(db, device.Id, new SeriesQuery(fields, from, to, MaxMessagesPerDevice), ct);
            var summaries = series.Where(s => s.Points.Count > 0).Select(s => new FieldSummary(
                s.Name, s.Unit, s.Points.Count, s.Points.Min(p => p.Value), s.Points.Max(p => p.Value), s.Points.Average(p => p.Value))).ToList();
            reports.Add(new DeviceReport(device.Id, device.Name, device.EntityName, summaries, alerts.GetValueOrDefault(device.Id), series));
        }

        return new TelemetryReport(title, from, to, now, reports);
    }
}
