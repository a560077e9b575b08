namespace IoTRoutes.Core.Messaging.Formats.Script;

/// <summary>
/// The units of The Things Network Device Repository's normalized payload (what <c>normalizeUplink</c> returns): each
/// measurement's fields have fixed names and units (<c>air.temperature</c> in °C, <c>wind.speed</c> in m/s), which is
/// the point of normalizing.
/// </summary>
public static class NormalizedPayload
{
    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        ["battery"] = "V",
        ["air.temperature"] = "°C",
        ["air.relativeHumidity"] = "%",
        ["air.pressure"] = "hPa",
        ["air.co2"] = "ppm",
        ["air.lightIntensity"] = "lx",
        ["soil.depth"] = "cm",
        ["soil.moisture"] = "%",
        ["soil.temperature"] = "°C",
        ["soil.ec"] = "dS/m",
        ["soil.n"] = "ppm",
        ["soil.p"] = "ppm",
        ["soil.k"] = "ppm",
        ["wind.speed"] = "m/s",
        ["wind.direction"] = "°",
        ["water.temperature.min"] = "°C",
        ["water.temperature.max"] = "°C",
        ["water.temperature.avg"] = "°C",
        ["water.temperature.current"] = "°C",
        ["metering.water.total"] = "L",
        ["position.latitude"] = "°",
        ["position.longitude"] = "°",
    };

    /// <summary>The unit of a normalized field, by its name within its measurement (<c>[1].air.temperature</c> as <c>air.temperature</c>).</summary>
    public static string? UnitOf(string field)
    {
        var name = field.StartsWith('[') && field.IndexOf("].", StringComparison.Ordinal) is > 0 and var end ? field[(end + 2)..] : field;
        return Units.GetValueOrDefault(name);
    }
}
