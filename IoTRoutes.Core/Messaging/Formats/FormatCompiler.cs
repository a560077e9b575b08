using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using IoTRoutes.Core.Messaging.Formats.Binary;
using IoTRoutes.Core.Messaging.Formats.CayenneLpp;
using IoTRoutes.Core.Messaging.Formats.Decoding;
using IoTRoutes.Core.Messaging.Formats.Delimited;
using IoTRoutes.Core.Messaging.Formats.Json;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>A format version ready for traffic: its decoder, the unit of each field it gives, and its encoder for commands.</summary>
public sealed record CompiledFormat(IPayloadDecoder Decoder, IReadOnlyDictionary<string, string> Units)
{
    public Encoders.IPayloadEncoder? Encoder { get; init; }

    /// <summary>Reads back what the format encodes, when it has its own way to (a script's <c>decodeDownlink</c>).</summary>
    public IPayloadDecoder? DownlinkDecoder { get; init; }

    /// <summary>
    /// The decoder for messages of an exchange type: a command is a downlink, read by <see cref="DownlinkDecoder"/> when
    /// the format has one; everything else (and commands of a format without one) by <see cref="Decoder"/>.
    /// </summary>
    public IPayloadDecoder DecoderFor(ExchangeType exchange) =>
        exchange == ExchangeType.Command && DownlinkDecoder is { } downlinks ? downlinks : Decoder;

    /// <summary>The unit of a field: by its full name, its last part (<c>readings[0].temperature</c>) or its first (<c>accelerometer_6.x</c>).</summary>
    public string? UnitOf(string field)
    {
        if (Units.TryGetValue(field, out var unit)) return unit;
        var last = field[(field.LastIndexOfAny(['.', ']']) + 1)..];
        if (Units.TryGetValue(last, out unit)) return unit;
        var first = field.Split('.', '[')[0];
        return Units.GetValueOrDefault(first) ?? Units.GetValueOrDefault(CayennePrefix(first));
    }

    private static string CayennePrefix(string key) => key.LastIndexOf('_') is > 0 and var i ? key[..i] : key;
}

/// <summary>Turns a format's kind and settings into a <see cref="CompiledFormat"/>, or the problems found, keyed by their place.</summary>
public static class FormatCompiler
{
    /// <summary>Settings are read strictly: an unknown or mistyped setting is an error, not silently ignored.</summary>
    public static readonly JsonSerializerOptions SettingsJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static (CompiledFormat? Format, Dictionary<string, string[]> Errors) Compile(FormatKind kind, JsonObject settings)
    {
        var (format, errors) = CompileDecoder(kind, settings);
        return format is null
            ? (format, errors)
            : (format with { Encoder = EncoderOf(kind, settings, format), DownlinkDecoder = (format.Decoder as Script.ScriptCodec)?.DownlinkDecoder }, errors);
    }

    private static Encoders.IPayloadEncoder? EncoderOf(FormatKind kind, JsonObject settings, CompiledFormat format) => kind switch
    {
        FormatKind.CayenneLpp => new Encoders.CayenneLppEncoder(),
        FormatKind.Json => new Encoders.JsonMappingEncoder(Read<JsonMapping>(settings)),
        FormatKind.Binary => new Encoders.BinaryLayoutEncoder(Read<BinaryLayout>(settings)),
        FormatKind.Script => format.Decoder as Encoders.IPayloadEncoder,
        _ => null,
    };

    private static (CompiledFormat? Format, Dictionary<string, string[]> Errors) CompileDecoder(FormatKind kind, JsonObject settings)
    {
        try
        {
            return kind switch
            {
                FormatKind.Json => From(JsonMappingDecoder.Build(Read<JsonMapping>(settings)), d => UnitsOf(Read<JsonMapping>(settings).Fields?.Select(f => (f.Name, f.Unit)))),
                FormatKind.Delimited => From(DelimitedDecoder.Build(Read<DelimitedLayout>(settings)), d => UnitsOf(Read<DelimitedLayout>(settings).Columns?.Select(c => (c.Name, c.Unit)))),
                FormatKind.Binary => From(BinaryLayoutDecoder.Build(Read<BinaryLayout>(settings)), d => UnitsOf(BinaryUnits(Read<BinaryLayout>(settings)))),
                FormatKind.CayenneLpp => settings.Count == 0
                    ? (new CompiledFormat(new CayenneLppCodec(), UnitsOf(CayenneLppTypes.All.Select(t => (t.Name, t.Unit))
                        .Concat(CayenneLppTypes.All.SelectMany(t => t.Axes).Where(a => a.Unit is not null).Select(a => (a.Name!, a.Unit))))), [])
                    : (null, new() { ["settings"] = ["Cayenne LPP has no settings: its table is built in."] }),
                FormatKind.Script => From(Script.ScriptCodec.Build(Read<Script.ScriptSettings>(settings)), d => new Dictionary<string, string>()),
                _ => (null, new() { ["kind"] = [$"Unknown kind {kind}."] }),
            };
        }
        catch (JsonException e)
        {
            var place = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "settings" : e.Path.TrimStart('$', '.');
            return (null, new() { [place] = [$"Unreadable setting: {FirstSentence(e.Message)}"] });
        }
    }

    private static T Read<T>(JsonObject settings) => settings.Deserialize<T>(SettingsJson) ?? throw new JsonException("The settings are empty.");

    private static (CompiledFormat?, Dictionary<string, string[]>) From<TDecoder>(
        (TDecoder? Decoder, Dictionary<string, string[]> Errors) built, Func<TDecoder, IReadOnlyDictionary<string, string>> units)
        where TDecoder : class, IPayloadDecoder =>
        built.Decoder is { } decoder ? (new CompiledFormat(decoder, units(decoder)), built.Errors) : (null, built.Errors);

    private static IEnumerable<(string, string?)> BinaryUnits(BinaryLayout layout) =>
        (layout.Fields ?? []).Concat(layout.Layouts?.Values.SelectMany(l => l) ?? []).Concat((IEnumerable<BinaryField>?)layout.Types?.Values ?? [])
            .Where(f => f.Name is not null).Select(f => (f.Name!, f.Unit));

    private static Dictionary<string, string> UnitsOf(IEnumerable<(string Name, string? Unit)>? pairs)
    {
        var units = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, unit) in pairs ?? [])
        {
            if (!string.IsNullOrWhiteSpace(unit)) units.TryAdd(name.Trim(), unit);
        }

        return units;
    }

    private static string FirstSentence(string message) => message.Split(". Path:")[0].Split(" LineNumber:")[0];
}
