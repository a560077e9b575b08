using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Formats.Decoding;

/// <summary>
/// Decoding one 10-field message with each kind of format (issue 14's targets: JSON mapping and binary at least 200,000
/// decodes per second on one core), against the built-in JSON check the intake ran before formats, on the same message.
/// Each decode builds the data object and its fields with units, as the intake does.
/// </summary>
[MemoryDiagnoser]
public class FormatDecoding
{
    private static readonly string[] Names = ["temperature", "humidity", "pressure", "co2", "voc", "pm25", "pm10", "noise", "light", "battery"];

    private readonly JsonPayloadDecoder _check = new();
    private CompiledFormat _json = null!;
    private CompiledFormat _binary = null!;
    private CompiledFormat _cayenne = null!;
    private CompiledFormat _script = null!;
    private DecodeInput _jsonInput = null!;
    private DecodeInput _binaryInput = null!;
    private DecodeInput _cayenneInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        var fields = new JsonArray([.. Names.Select(n => (JsonNode)new JsonObject { ["path"] = "$." + n, ["name"] = n, ["unit"] = "u", ["scale"] = 0.1 })]);
        _json = Compile(FormatKind.Json, new JsonObject { ["fields"] = fields });
        var layout = new JsonArray([.. Names.Select(n => (JsonNode)new JsonObject { ["name"] = n, ["type"] = "S16", ["scale"] = 0.01, ["unit"] = "u" })]);
        _binary = Compile(FormatKind.Binary, new JsonObject { ["fields"] = layout });
        _cayenne = Compile(FormatKind.CayenneLpp, []);
        // A codec in the Device Repository's style: ten signed 16-bit readings, scaled, in a data object.
        _script = Compile(FormatKind.Script, new JsonObject
        {
            ["script"] = """
                function readInt16BE(bytes, i) { var v = (bytes[i] << 8) | bytes[i + 1]; return v > 0x7fff ? v - 0x10000 : v; }
                var NAMES = ["temperature", "humidity", "pressure", "co2", "voc", "pm25", "pm10", "noise", "light", "battery"];
                function decodeUplink(input) {
                  var data = {};
                  for (var i = 0; i < NAMES.length; i++) { data[NAMES[i]] = readInt16BE(input.bytes, 2 * i) / 100; }
                  return { data: data, warnings: [], errors: [] };
                }
                """,
        });

        var payload = new JsonObject();
        for (var i = 0; i < Names.Length; i++) payload[Names[i]] = 200 + i;
        _jsonInput = Input(System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString()));
        _binaryInput = Input([.. Enumerable.Range(0, 10).SelectMany(i => new byte[] { 0x08, (byte)i })]);
        _cayenneInput = Input([.. Enumerable.Range(0, 10).SelectMany(i => new byte[] { (byte)i, 0x67, 0x01, (byte)i })]);
        foreach (var (format, input) in new[] { (_json, _jsonInput), (_binary, _binaryInput), (_cayenne, _cayenneInput), (_script, _binaryInput) })
        {
            if (format.Decoder.Decode(input) is not { Succeeded: true, Data.Count: 10 })
            {
                throw new InvalidOperationException("A benchmark message does not decode to ten fields.");
            }
        }
    }

    [Benchmark(Baseline = true, Description = "built-in JSON check (no format)")]
    public bool Check() => _check.Decode(_jsonInput.Payload.Span).Succeeded;

    [Benchmark(Description = "Json mapping, 10 fields")]
    public int Json() => Decode(_json, _jsonInput);

    [Benchmark(Description = "Binary layout, 10 s16 fields")]
    public int Binary() => Decode(_binary, _binaryInput);

    [Benchmark(Description = "Cayenne LPP, 10 readings")]
    public int Cayenne() => Decode(_cayenne, _cayenneInput);

    [Benchmark(Description = "Script (Jint), repository-style codec, 10 fields")]
    public int Script() => Decode(_script, _binaryInput);

    private static int Decode(CompiledFormat format, DecodeInput input)
    {
        var decoded = format.Decoder.Decode(input);
        var data = decoded.Data!.ToJsonString(); // as stored
        return FormatFields.Of(decoded.Data, format.UnitOf).Count + data.Length;
    }

    private static CompiledFormat Compile(FormatKind kind, JsonObject settings) =>
        FormatCompiler.Compile(kind, settings).Format ?? throw new InvalidOperationException($"The {kind} settings do not compile.");

    private static DecodeInput Input(byte[] payload) => new(payload, 1, DateTimeOffset.UnixEpoch, DecodeInput.NoVariables);
}
