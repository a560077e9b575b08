using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace IoTRoutes.Core.Jobs.Reports;

/// <summary>
/// A report as PDF (PDFsharp 6.2.4, MIT): the title and period, then per device a table of its fields (count, min, max,
/// mean) and its alerts, and a chart of its fields over time (ScottPlot, drawn as a PNG). A4, a page per device at most.
/// </summary>
public static class ReportPdf
{
    private const double Margin = 40;

    /// <summary>The PDF; null with why when the machine has no font for it.</summary>
    public static (byte[]? Pdf, string? Problem) Write(TelemetryReport report)
    {
        if (!ReportFonts.TryInstall(out var problem)) return (null, problem);
        using var document = new PdfDocument();
        document.Info.Title = report.Title;
        document.Info.Creator = "IoTRoutes";
        var title = new XFont("Report", 18, XFontStyleEx.Bold);
        var heading = new XFont("Report", 13, XFontStyleEx.Bold);
        var body = new XFont("Report", 10, XFontStyleEx.Regular);

        var page = document.AddPage();
        var g = XGraphics.FromPdfPage(page);
        var y = Margin;
        g.DrawString(report.Title, title, XBrushes.Black, Margin, y + 18);
        y += 32;
        g.DrawString($"{Time(report.From)} to {Time(report.To)} (UTC) · {report.Devices.Count} device(s) · made {Time(report.MadeAt)}", body, XBrushes.DimGray, Margin, y);
        y += 24;
        if (report.Devices.Count == 0)
        {
            g.DrawString("No device matched the report's devices, entity and profile.", body, XBrushes.Black, Margin, y);
        }

        foreach (var device in report.Devices)
        {
            var rows = Math.Max(1, device.Fields.Count);
            var needed = 24 + 16 * (rows + 1) + (device.Series.Any(s => s.Points.Count > 1) ? 230 : 0);
            if (y + needed > page.Height.Point - Margin)
            {
                g.Dispose();
                page = document.AddPage();
                g = XGraphics.FromPdfPage(page);
                y = Margin;
            }

            g.DrawString($"{device.Name} ({device.EntityName}) · {device.Alerts} alert(s)", heading, XBrushes.Black, Margin, y + 13);
            y += 24;
            y = Table(g, body, device, y);
            if (device.Series.Any(s => s.Points.Count > 1))
            {
                using var image = XImage.FromStream(new MemoryStream(ReportChart.Png(device, 1000, 420)));
                g.DrawImage(image, Margin, y + 4, page.Width.Point - 2 * Margin, (page.Width.Point - 2 * Margin) * 0.42);
                y += 230;
            }

            y += 14;
        }

        g.Dispose();
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return (output.ToArray(), null);
    }

    private static double Table(XGraphics g, XFont font, DeviceReport device, double y)
    {
        double[] columns = [Margin, Margin + 170, Margin + 240, Margin + 310, Margin + 380, Margin + 450];
        string[] headers = ["field", "count", "min", "max", "mean", "unit"];
        for (var i = 0; i < headers.Length; i++) g.DrawString(headers[i], font, XBrushes.DimGray, columns[i], y);
        y += 16;
        if (device.Fields.Count == 0)
        {
            g.DrawString("No telemetry in the period.", font, XBrushes.Black, Margin, y);
            return y + 16;
        }

        foreach (var field in device.Fields)
        {
            string[] cells = [field.Name, field.Count.ToString(CultureInfo.InvariantCulture), Number(field.Min), Number(field.Max), Number(field.Mean), field.Unit ?? ""];
            for (var i = 0; i < cells.Length; i++) g.DrawString(cells[i], font, XBrushes.Black, columns[i], y);
            y += 16;
        }

        return y;
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}

/// <summary>A device's fields over time as a PNG (ScottPlot): one line per field, a time axis, a legend.</summary>
internal static class ReportChart
{
    public static byte[] Png(DeviceReport device, int width, int height)
    {
        var plot = new ScottPlot.Plot();
        foreach (var series in device.Series.Where(s => s.Points.Count > 1))
        {
            var line = plot.Add.Scatter(series.Points.Select(p => p.At.UtcDateTime.ToOADate()).ToArray(), series.Points.Select(p => p.Value).ToArray());
            line.LegendText = series.Unit is null ? series.Name : $"{series.Name} ({series.Unit})";
            line.MarkerSize = series.Points.Count > 50 ? 0 : 4;
        }

        plot.Axes.DateTimeTicksBottom();
        plot.ShowLegend(ScottPlot.Edge.Right);
        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }
}
