namespace IoTRoutes.Core.Messaging.Formats.CayenneLpp;

/// <summary>One Cayenne LPP data type: its code, name in keys (<c>temperature_3</c>), size, and how each value is stored.</summary>
/// <param name="Axes">The value's parts: one for a plain reading, x/y/z, r/g/b or latitude/longitude/altitude.</param>
public sealed record CayenneLppType(byte Code, string Name, string? Unit, CayenneLppAxis[] Axes)
{
    public int Size => Axes.Sum(a => a.Bytes);
}

/// <param name="Bytes">Big-endian width of the stored integer.</param>
/// <param name="Resolution">Value = stored integer × resolution.</param>
/// <param name="Unit">The axis's own unit, where it differs from the type's (a GPS fix: degrees and metres).</param>
public sealed record CayenneLppAxis(string? Name, int Bytes, bool Signed, double Resolution, string? Unit = null);

/// <summary>
/// The Cayenne LPP table: the IPSO-based types of the original specification and the extended types of the
/// ElectronicCats/CayenneLPP library that LoRaWAN decoders (The Things Stack, ChirpStack) also read.
/// </summary>
public static class CayenneLppTypes
{
    private static CayenneLppAxis One(int bytes, bool signed, double resolution) => new(null, bytes, signed, resolution);

    public static readonly IReadOnlyList<CayenneLppType> All =
    [
        new(0, "digital_in", null, [One(1, false, 1)]),
        new(1, "digital_out", null, [One(1, false, 1)]),
        new(2, "analog_in", null, [One(2, true, 0.01)]),
        new(3, "analog_out", null, [One(2, true, 0.01)]),
        new(100, "generic", null, [One(4, false, 1)]),
        new(101, "luminosity", "lx", [One(2, false, 1)]),
        new(102, "presence", null, [One(1, false, 1)]),
        new(103, "temperature", "°C", [One(2, true, 0.1)]),
        new(104, "relative_humidity", "%", [One(1, false, 0.5)]),
        new(113, "accelerometer", "G", [new("x", 2, true, 0.001), new("y", 2, true, 0.001), new("z", 2, true, 0.001)]),
        new(115, "barometric_pressure", "hPa", [One(2, false, 0.1)]),
        new(116, "voltage", "V", [One(2, false, 0.01)]),
        new(117, "current", "A", [One(2, false, 0.001)]),
        new(118, "frequency", "Hz", [One(4, false, 1)]),
        new(120, "percentage", "%", [One(1, false, 1)]),
        new(121, "altitude", "m", [One(2, true, 1)]),
        new(125, "concentration", "ppm", [One(2, false, 1)]),
        new(128, "power", "W", [One(2, false, 1)]),
        new(130, "distance", "m", [One(4, false, 0.001)]),
        new(131, "energy", "kWh", [One(4, false, 0.001)]),
        new(132, "direction", "°", [One(2, false, 1)]),
        new(133, "unixtime", "s", [One(4, false, 1)]),
        new(134, "gyrometer", "°/s", [new("x", 2, true, 0.01), new("y", 2, true, 0.01), new("z", 2, true, 0.01)]),
        new(135, "colour", null, [new("r", 1, false, 1), new("g", 1, false, 1), new("b", 1, false, 1)]),
        new(136, "gps", null, [new("latitude", 3, true, 0.0001, "°"), new("longitude", 3, true, 0.0001, "°"), new("altitude", 3, true, 0.01, "m")]),
        new(142, "switch", null, [One(1, false, 1)]),
    ];

    private static readonly CayenneLppType?[] ByCode = BuildCodes();
    private static readonly Dictionary<string, CayenneLppType> ByName = All.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static CayenneLppType? Find(byte code) => ByCode[code];

    public static CayenneLppType? Find(string name) => ByName.GetValueOrDefault(name);

    private static CayenneLppType?[] BuildCodes()
    {
        var codes = new CayenneLppType?[256];
        foreach (var type in All) codes[type.Code] = type;
        return codes;
    }
}
