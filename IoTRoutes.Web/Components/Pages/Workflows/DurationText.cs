namespace IoTRoutes.Web.Components.Pages.Workflows;

/// <summary>A node's time as people read it: µs under a millisecond, ms under a second, then seconds.</summary>
internal static class DurationText
{
    public static string Of(TimeSpan t) => t.TotalSeconds switch
    {
        >= 1 => $"{t.TotalSeconds:0.##} s",
        >= 0.001 => $"{t.TotalMilliseconds:0.##} ms",
        _ => $"{t.TotalMicroseconds:0.#} µs",
    };

    public static string OfMilliseconds(double ms) => Of(TimeSpan.FromMilliseconds(ms));
}
