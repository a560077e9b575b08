using System.Globalization;
using System.Text;
using CsvHelper;

namespace IoTRoutes.Core.Jobs.Reports;

/// <summary>
/// A report as CSV (CsvHelper, RFC 4180): one row per device and field, a row for a device without telemetry; UTF-8.
/// Names come from devices: one that a spreadsheet would evaluate (=, +, -, @) is escaped.
/// </summary>
public static class ReportCsv
{
    public static byte[] Write(TelemetryReport report)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { Injection = CsvInjection.Escape, FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true))
        {
            csv.WriteRecord(["device", "entity", "field", "unit", "count", "min", "max", "mean", "alerts", "from", "to"]);
            foreach (var device in report.Devices)
            {
                if (device.Fields.Count == 0) csv.WriteRecord(Row(report, device, null));
                foreach (var field in device.Fields) csv.WriteRecord(Row(report, device, field));
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string[] Row(TelemetryReport report, DeviceReport device, FieldSummary? field) =>
    [
        device.Name, device.EntityName, field?.Name ?? "", field?.Unit ?? "", (field?.Count ?? 0).ToString(CultureInfo.InvariantCulture),
        field is null ? "" : Number(field.Min), field is null ? "" : Number(field.Max), field is null ? "" : Number(field.Mean),
        device.Alerts.ToString(CultureInfo.InvariantCulture), Time(report.From), Time(report.To),
    ];

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
