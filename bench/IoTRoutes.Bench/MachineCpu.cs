namespace IoTRoutes.Bench;

/// <summary>How busy the whole machine was (all processes, all cores) between two readings of /proc/stat.</summary>
public static class MachineCpu
{
    public readonly record struct Reading(long Busy, long Total);

    public static Reading Sample()
    {
        if (!File.Exists("/proc/stat"))
        {
            return default;
        }

        // cpu  user nice system idle iowait irq softirq steal ...
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var idle = fields[3] + fields[4];
        var total = fields.Take(8).Sum();
        return new Reading(total - idle, total);
    }

    /// <summary>Share of all cores' time spent busy since <paramref name="start"/> (0 to 1).</summary>
    public static double BusySince(Reading start)
    {
        var now = Sample();
        var total = now.Total - start.Total;
        return total <= 0 ? double.NaN : (double)(now.Busy - start.Busy) / total;
    }
}
