using System.Globalization;
using IoTRoutes.Core.Messaging.Telemetry;

namespace IoTRoutes.Web.Components.Pages.Devices;

/// <summary>A point of a field's chart: its value, time and place in the drawing.</summary>
public sealed record ChartPoint(DateTimeOffset At, double Value, double X, double Y);

/// <summary>A labelled tick on an axis, at its place in the drawing.</summary>
public sealed record AxisTick(double At, string Label);

/// <summary>
/// The geometry of one field's chart, in the units of the SVG's view box: a real time axis (a point's place follows its
/// time, so a one-minute pause looks like one minute), y ticks at round steps, and the line broken where the field was
/// silent for much longer than it usually is.
/// </summary>
public sealed class FieldChartLayout
{
    public const double Width = 600, Height = 240;
    public const double Left = 58, Right = Width - 14, Top = 12, Bottom = Height - 26;

    /// <summary>A pause longer than this many times the field's usual interval breaks its line.</summary>
    public const double GapFactor = 5;

    /// <summary>Points drawn as markers with a tooltip; beyond this, every n-th (the line still has them all).</summary>
    public const int MaxMarkers = 240;

    private static readonly TimeSpan[] TimeSteps =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15),
        TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(3),
        TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(7),
    ];

    private FieldChartLayout(IReadOnlyList<IReadOnlyList<ChartPoint>> segments, IReadOnlyList<ChartPoint> markers, IReadOnlyList<AxisTick> valueTicks,
        IReadOnlyList<AxisTick> timeTicks)
    {
        Segments = segments;
        Markers = markers;
        ValueTicks = valueTicks;
        TimeTicks = timeTicks;
    }

    /// <summary>Runs of points joined by a line; a field's pause starts a new one.</summary>
    public IReadOnlyList<IReadOnlyList<ChartPoint>> Segments { get; }

    /// <summary>The points drawn as markers, each with its tooltip.</summary>
    public IReadOnlyList<ChartPoint> Markers { get; }

    /// <summary>Ticks of the value axis, bottom to top; <see cref="AxisTick.At"/> is a y.</summary>
    public IReadOnlyList<AxisTick> ValueTicks { get; }

    /// <summary>Ticks of the time axis, left to right; <see cref="AxisTick.At"/> is an x.</summary>
    public IReadOnlyList<AxisTick> TimeTicks { get; }

    /// <summary>
    /// Lays out <paramref name="points"/> (oldest first) between <paramref name="from"/> and <paramref name="to"/>, the
    /// time span every chart of the page shares, with times shown in <paramref name="zone"/>.
    /// </summary>
    public static FieldChartLayout Of(IReadOnlyList<SeriesPoint> points, DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        if (to <= from)
        {
            (from, to) = (from - TimeSpan.FromMinutes(1), from + TimeSpan.FromMinutes(1)); // one instant: a window around it
        }

        var (low, high, step) = ValueScale(points);
        double XOf(DateTimeOffset at) => Left + (Right - Left) * ((at - from) / (to - from));
        double YOf(double value) => Bottom - (Bottom - Top) * ((value - low) / (high - low));

        var placed = points.Select(p => new ChartPoint(p.At, p.Value, XOf(p.At), YOf(p.Value))).ToList();
        var valueTicks = new List<AxisTick>();
        var decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9) + (IsHalfStep(step) ? 1 : 0));
        for (var i = 0; low + i * step <= high + step / 1000; i++)
        {
            var value = low + i * step;
            valueTicks.Add(new AxisTick(YOf(value), value.ToString("N" + decimals, CultureInfo.InvariantCulture)));
        }

        return new FieldChartLayout(Split(placed), Thin(placed), valueTicks, TimeAxis(from, to, zone, XOf));
    }

    /// <summary>How the window's times are written on the axis and in tooltips: down to the second only when it matters.</summary>
    public static string TooltipTime(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Round bounds and a round step (1, 2, 2.5 or 5 times a power of ten) giving four to six ticks.</summary>
    internal static (double Low, double High, double Step) ValueScale(IReadOnlyList<SeriesPoint> points)
    {
        var min = points.Count == 0 ? 0 : points.Min(p => p.Value);
        var max = points.Count == 0 ? 1 : points.Max(p => p.Value);
        if (max - min < Math.Abs(max) * 1e-9 || max == min)
        {
            var pad = max == 0 ? 1 : Math.Abs(max) * 0.1; // a flat line sits in the middle, not on an edge
            (min, max) = (min - pad, max + pad);
        }

        var rough = (max - min) / 4;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * magnitude).First(s => s >= rough);
        // A hair of tolerance: 0.03 / 0.005 is 6.000000000000001 in binary, and must not round up to a seventh step.
        return (Math.Floor(min / step + 1e-9) * step, Math.Ceiling(max / step - 1e-9) * step, step);
    }

    private static bool IsHalfStep(double step)
    {
        var normalized = step / Math.Pow(10, Math.Floor(Math.Log10(step) + 1e-9));
        return Math.Abs(normalized - 2.5) < 1e-9;
    }

    private static List<IReadOnlyList<ChartPoint>> Split(List<ChartPoint> points)
    {
        var segments = new List<IReadOnlyList<ChartPoint>>();
        if (points.Count == 0) return segments;

        // The field's usual interval: the median, so one long pause does not hide itself by raising the average.
        var intervals = points.Zip(points.Skip(1), (a, b) => b.At - a.At).Order().ToList();
        var usual = intervals.Count >= 3 ? intervals[intervals.Count / 2] : TimeSpan.MaxValue;
        var current = new List<ChartPoint> { points[0] };
        for (var i = 1; i < points.Count; i++)
        {
            if (usual != TimeSpan.MaxValue && points[i].At - points[i - 1].At > usual * GapFactor)
            {
                segments.Add(current);
                current = [];
            }

            current.Add(points[i]);
        }

        segments.Add(current);
        return segments;
    }

    private static List<ChartPoint> Thin(List<ChartPoint> points)
    {
        if (points.Count <= MaxMarkers) return points;
        var every = (int)Math.Ceiling(points.Count / (double)MaxMarkers);
        return [.. points.Where((_, i) => i % every == 0 || i == points.Count - 1)];
    }

    private static List<AxisTick> TimeAxis(DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone, Func<DateTimeOffset, double> xOf)
    {
        var span = to - from;
        var step = TimeSteps.FirstOrDefault(s => span / s <= 6, TimeSteps[^1]);
        var format = step < TimeSpan.FromMinutes(1) ? "HH:mm:ss"
            : step >= TimeSpan.FromDays(1) ? "dd MMM"
            : span > TimeSpan.FromDays(1) ? "dd MMM HH:mm"
            : "HH:mm";

        // Ticks fall on round local times (whole minutes, hours, midnights), counted from the local day's start.
        var localFrom = TimeZoneInfo.ConvertTime(from, zone);
        var dayStart = new DateTimeOffset(localFrom.Date, localFrom.Offset);
        var first = dayStart + step * Math.Ceiling((localFrom - dayStart) / step);
        var ticks = new List<AxisTick>();
        for (var at = first; at <= to; at += step)
        {
            ticks.Add(new AxisTick(xOf(at), TimeZoneInfo.ConvertTime(at, zone).ToString(format, CultureInfo.InvariantCulture)));
        }

        return ticks;
    }
}
