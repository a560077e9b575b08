using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Formats.Decoding;
using IoTRoutes.Core.Messaging.Formats.Script;

namespace IoTRoutes.Tests.Core.Messaging.Formats;

/// <summary>Script formats on Jint with the TS013 contract, and the sandbox's limits.</summary>
public sealed class ScriptCodecTests
{
    // Written in the style of The Things Network's Device Repository codecs: non-strict, ES2015, a plain bytes array.
    private const string RepositoryStyleCodec = """
        var LABELS = { 1: "idle", 2: "alarm" };
        function readInt16BE(bytes, i) { var v = (bytes[i] << 8) | bytes[i + 1]; return v > 0x7fff ? v - 0x10000 : v; }
        function decodeUplink(input) {
          if (!Array.isArray(input.bytes)) { return { errors: ["bytes is not an array"] }; }
          const warnings = [];
          if (input.bytes.length < 4) { return { errors: [`expected 4 bytes, got ${input.bytes.length}`] }; }
          let data = {
            temperature: readInt16BE(input.bytes, 0) / 100,
            state: LABELS[input.bytes[2]] || "unknown",
            battery: input.bytes[3] / 10,
            port: input.fPort,
            site: input.variables.site,
            year: input.recvTime.getUTCFullYear(),
            nothing: undefined,
          };
          if (data.battery < 3) warnings.push("battery low");
          return { data: data, warnings: warnings };
        }
        """;

    [Fact]
    public void A_repository_style_codec_runs_unchanged_with_the_ts013_input()
    {
        var codec = Build(RepositoryStyleCodec);

        var decoded = codec.Decode(Input([0x09, 0x60, 0x02, 0x1D], variables: new() { ["site"] = "north" }));

        Assert.True(decoded.Succeeded, string.Join("; ", decoded.Errors));
        AssertJson("""{"temperature":24,"state":"alarm","battery":2.9,"port":1,"site":"north","year":2026}""", decoded.Data);
        Assert.Equal(["battery low"], decoded.Warnings);
    }

    [Fact]
    public void Errors_from_the_script_reject_the_message_and_exact_doubles_are_kept()
    {
        var codec = Build(RepositoryStyleCodec);
        var exact = Build("function decodeUplink(i) { return { data: { third: 1 / 3, big: 1e21, tiny: 5e-324 } }; }");

        Assert.Equal(["expected 4 bytes, got 2"], codec.Decode(Input([1, 2])).Errors);
        AssertJson("""{"third":0.3333333333333333,"big":1e21,"tiny":5e-324}""", exact.Decode(Input([])).Data);
    }

    [Fact]
    public void The_legacy_decoder_function_is_called_with_bytes_and_port()
    {
        var codec = Build("function Decoder(bytes, port) { return { first: bytes[0], port: port, isArray: Array.isArray(bytes) }; }");

        AssertJson("""{"first":7,"port":1,"isArray":true}""", codec.Decode(Input([7])).Data);
    }

    [Fact]
    public void Each_call_gets_a_fresh_global_scope()
    {
        var codec = Build("var calls = 0; function decodeUplink(i) { calls++; return { data: { calls: calls } }; }");

        codec.Decode(Input([]));

        AssertJson("""{"calls":1}""", codec.Decode(Input([])).Data);
    }

    [Theory]
    [InlineData("function decodeUplink(i) {\n  var x = 1;\n  throw new Error('sensor fault');\n}", "sensor fault", "line 3")]
    [InlineData("function decodeUplink(i) { while (true) {} }", "limit", null)]
    [InlineData("function decodeUplink(i) { var a = []; for (;;) { a.push(new Array(100000).fill(1)); } }", "limit", null)]
    [InlineData("function decodeUplink(i) { function f(n) { return f(n + 1); } return f(0); }", "recursed deeper", null)]
    [InlineData("function decodeUplink(i) { return { data: System.IO.File.ReadAllText('/etc/passwd') }; }", "System is not defined", null)]
    [InlineData("function decodeUplink(i) { return { data: importNamespace('System.IO') }; }", "importNamespace is not defined", null)]
    [InlineData("function decodeUplink(i) { return 42; }", "must return an object", null)]
    public void A_throw_a_breach_or_a_reach_for_the_clr_is_an_error_and_the_next_message_still_decodes(string script, string error, string? where)
    {
        var codec = Build(script + "\nfunction ok() {}");

        var failed = codec.Decode(Input([1]));

        var message = Assert.Single(failed.Errors);
        Assert.Contains(error, message);
        if (where is not null) Assert.Contains(where, message);
        Assert.False(failed.Succeeded);
    }

    [Theory]
    [InlineData("function decodeUplink(i) { var o = {}; for (var k = 0; k < 30000; k++) { o = { n: o }; } return { data: o }; }", "nested deeper than 64", 1000)]
    [InlineData("function decodeUplink(i) { var s = 'x'.repeat(1000000); var a = []; for (var k = 0; k < 300; k++) a.push(s); return { data: { a: a } }; }", "larger than", 1000)]
    [InlineData("function decodeUplink(i) { /^(a+)+$/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'); return { data: {} }; }", "time limit", 200)]
    public void A_result_too_deep_or_too_large_or_a_run_past_the_deadline_is_an_error_not_a_crash(string script, string error, int timeoutMilliseconds)
    {
        // The deep and the large result get the longest limit: on a loaded machine building them takes a good part of 200 ms.
        var (codec, buildErrors) = ScriptCodec.Build(new ScriptSettings(script, TimeoutMilliseconds: timeoutMilliseconds, MemoryKilobytes: 64 * 1024));

        var message = codec is null ? buildErrors["script"][0] : Assert.Single(codec.Decode(Input([1])).Errors);

        Assert.Contains(error, message);
    }

    [Fact]
    public void The_time_limit_bounds_the_whole_call_top_level_and_function_together_whatever_the_statement_limit()
    {
        // Jint's memory limit counts what the thread allocated, and Date.now() allocates: the time limit is under test here,
        // so the memory limit is out of reach (a fast machine allocated past 16 MiB within the time limit).
        var endless = ScriptCodec.Build(new ScriptSettings("function decodeUplink(i) { while (true) {} }", TimeoutMilliseconds: 100, MaxStatements: 100_000_000, MemoryKilobytes: 1024 * 1024)).Codec!;
        // 30 ms at the top level and 90 ms in the call: each under the limit of 100 ms, not both.
        var slow = ScriptCodec.Build(new ScriptSettings(
            "function busy(ms) { var t = Date.now(); while (Date.now() - t < ms) {} }\nbusy(30);\nfunction decodeUplink(i) { busy(90); return { data: {} }; }",
            TimeoutMilliseconds: 100, MaxStatements: 100_000_000, MemoryKilobytes: 1024 * 1024)).Codec!;

        Assert.Contains("ran longer than its time limit", Assert.Single(endless.Decode(Input([1])).Errors));
        Assert.Contains("ran longer than its time limit", Assert.Single(slow.Decode(Input([1])).Errors));
    }

    [Theory]
    [InlineData("function decodeUplink(i) { return {", "Syntax error at line 1")]
    [InlineData("function somethingElse() {}", "neither decodeUplink")]
    [InlineData("while (true) {}", "limit")]
    [InlineData("", "A script is needed")]
    public void A_script_that_cannot_serve_is_refused_when_saved(string script, string error)
    {
        var (codec, errors) = ScriptCodec.Build(new ScriptSettings(script, TimeoutMilliseconds: 200));

        Assert.Null(codec);
        Assert.Contains(error, errors["script"][0]);
    }

    [Fact]
    public void A_script_over_its_size_limit_is_refused()
    {
        var (codec, errors) = ScriptCodec.Build(new ScriptSettings("// " + new string('x', 2048) + "\nfunction decodeUplink(i) { return { data: {} }; }", MaxScriptKilobytes: 1));

        Assert.Null(codec);
        Assert.Contains("over 1 KiB", errors["script"][0]);
    }

    // A downlink codec in the Device Repository's style: encodeDownlink and decodeDownlink mirror each other.
    private const string ValveCodec = """
        var MODES = ["closed", "open", "auto"];
        function decodeUplink(input) { return { data: { flow: input.bytes[0] } }; }
        function encodeDownlink(input) {
          const mode = MODES.indexOf(input.data.mode);
          if (mode < 0) return { errors: [`unknown mode ${input.data.mode}`] };
          return { bytes: [mode, input.data.minutes || 0], fPort: 10 };
        }
        function decodeDownlink(input) {
          if (input.fPort !== 10) return { errors: ["downlinks go on port 10"] };
          const [mode, minutes] = input.bytes;
          return { data: { mode: MODES[mode], minutes: minutes }, warnings: minutes > 120 ? ["long"] : [] };
        }
        """;

    [Fact]
    public void A_command_format_reads_samples_with_decode_downlink_and_an_uplink_format_with_decode_uplink()
    {
        var format = Compile(ValveCodec);

        var command = FormatTrial.Try(format, ExchangeType.Command, [0x01, 0x96], 10, DecodeInput.NoVariables, Now);
        var uplink = FormatTrial.Try(format, ExchangeType.Telemetry, [0x01, 0x96], 10, DecodeInput.NoVariables, Now);
        var wrongPort = FormatTrial.Try(format, ExchangeType.Command, [0x01], 2, DecodeInput.NoVariables, Now);

        AssertJson("""{"mode":"open","minutes":150}""", command.Data);
        Assert.Equal(["long"], command.Warnings);
        AssertJson("""{"flow":1}""", uplink.Data);
        Assert.Equal(["downlinks go on port 10"], wrongPort.Errors);
    }

    [Fact]
    public void Decode_downlink_reads_back_what_encode_downlink_wrote()
    {
        var format = Compile(ValveCodec);

        var encoded = format.Encoder!.Encode(JsonNode.Parse("""{"mode":"auto","minutes":30}""")!.AsObject(), 1);
        var decoded = format.DownlinkDecoder!.Decode(new DecodeInput(encoded.Bytes, encoded.FPort, Now, DecodeInput.NoVariables));

        Assert.Equal(("021E", 10), (Convert.ToHexString(encoded.Bytes!), encoded.FPort));
        AssertJson("""{"mode":"auto","minutes":30}""", decoded.Data);
    }

    [Fact]
    public void Without_decode_downlink_a_command_sample_is_read_by_decode_uplink_as_before()
    {
        var format = Compile("function decodeUplink(input) { return { data: { first: input.bytes[0] } }; }");

        Assert.Null(format.DownlinkDecoder);
        AssertJson("""{"first":7}""", FormatTrial.Try(format, ExchangeType.Command, [7], 1, DecodeInput.NoVariables, Now).Data);
    }

    [Theory]
    [InlineData("function decodeDownlink(input) { return 3; }", "decodeDownlink must return an object")]
    [InlineData("function decodeDownlink(input) { return { warnings: [] }; }", "decodeDownlink returned no data object")]
    [InlineData("function decodeDownlink(input) { return input.bytes.nothing.here; }", "The script threw (line 2")]
    public void A_decode_downlink_that_breaks_the_contract_is_an_error(string function, string error)
    {
        var format = Compile("function decodeUplink(input) { return { data: {} }; }\n" + function);

        Assert.Contains(error, Assert.Single(FormatTrial.Try(format, ExchangeType.Command, [1], 1, DecodeInput.NoVariables, Now).Errors));
    }

    // normalizeUplink as the Device Repository writes it: the device's own names in, the normalized schema out.
    private const string ClimateCodec = """
        function decodeUplink(input) {
          const [t1, t2, rh, batt] = input.bytes;
          const data = { temp: ((t1 << 8) | t2) / 100, rh: rh / 2, batt_mv: batt * 20 };
          return { data: data, warnings: data.batt_mv < 3000 ? ["battery low"] : [] };
        }
        function normalizeUplink(input) {
          if (input.data.rh > 100) return { errors: ["humidity over 100 %"] };
          return {
            data: { air: { temperature: input.data.temp, relativeHumidity: input.data.rh }, battery: input.data.batt_mv / 1000 },
            warnings: ["normalized"],
          };
        }
        """;

    [Fact]
    public void The_fields_come_from_normalize_uplink_with_the_schemas_units_and_the_data_stays_decode_uplinks()
    {
        var format = Compile(ClimateCodec);

        var result = FormatTrial.Try(format, ExchangeType.Telemetry, [0x08, 0x66, 0x61, 0x8C], 1, DecodeInput.NoVariables, Now);

        AssertJson("""{"temp":21.5,"rh":48.5,"batt_mv":2800}""", result.Data);
        AssertJson("""{"air":{"temperature":21.5,"relativeHumidity":48.5},"battery":2.8}""", result.NormalizedData);
        Assert.Equal([("air.temperature", "21.5", "°C"), ("air.relativeHumidity", "48.5", "%"), ("battery", "2.8", "V")],
            result.Fields.Select(f => (f.Name, f.Value!.ToJsonString(), f.Unit)));
        Assert.Equal(["battery low", "normalized"], result.Warnings);
    }

    [Fact]
    public void Errors_of_normalize_uplink_reject_the_message_as_those_of_decode_uplink_do()
    {
        var format = Compile(ClimateCodec);
        var junk = Compile("function decodeUplink(i) { return { data: { a: 1 } }; }\nfunction normalizeUplink(i) { return { data: [1, 2] }; }");

        var rejected = FormatTrial.Try(format, ExchangeType.Telemetry, [0x08, 0x66, 0xFA, 0xAA], 1, DecodeInput.NoVariables, Now);

        Assert.Equal(["normalizeUplink: humidity over 100 %"], rejected.Errors);
        Assert.Null(rejected.Data);
        Assert.Empty(rejected.Fields);
        Assert.Contains("an object or an array of objects", Assert.Single(FormatTrial.Try(junk, ExchangeType.Telemetry, [], 1, DecodeInput.NoVariables, Now).Errors));
    }

    [Fact]
    public void Several_normalized_measurements_keep_their_names_unless_two_give_the_same_one()
    {
        var distinct = Compile("""
            function decodeUplink(i) { return { data: { t: 20.5, v: 3.1 } }; }
            function normalizeUplink(i) { return { data: [{ air: { temperature: i.data.t } }, { battery: i.data.v }] }; }
            """);
        var series = Compile("""
            function decodeUplink(i) { return { data: { t: [20.5, 21] } }; }
            function normalizeUplink(i) { return { data: i.data.t.map(t => ({ air: { temperature: t } })) }; }
            """);

        var one = FormatTrial.Try(distinct, ExchangeType.Telemetry, [], 1, DecodeInput.NoVariables, Now).Fields;
        var two = FormatTrial.Try(series, ExchangeType.Telemetry, [], 1, DecodeInput.NoVariables, Now).Fields;

        Assert.Equal([("air.temperature", "°C"), ("battery", "V")], one.Select(f => (f.Name, f.Unit)));
        Assert.Equal([("[0].air.temperature", "°C"), ("[1].air.temperature", "°C")], two.Select(f => (f.Name, f.Unit)));
    }

    private static readonly DateTimeOffset Now = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    private static CompiledFormat Compile(string script)
    {
        var (format, errors) = FormatCompiler.Compile(FormatKind.Script, new JsonObject { ["script"] = script, ["timeoutMilliseconds"] = 1000 });
        return format ?? throw new Xunit.Sdk.XunitException(string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")));
    }

    private static ScriptCodec Build(string script)
    {
        var (codec, errors) = ScriptCodec.Build(new ScriptSettings(script, TimeoutMilliseconds: 1000, MemoryKilobytes: 8 * 1024));
        return codec ?? throw new Xunit.Sdk.XunitException(string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")));
    }

    private static DecodeInput Input(byte[] bytes, Dictionary<string, string>? variables = null) =>
        new(bytes, 1, new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero), variables ?? new Dictionary<string, string>());

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual?.ToJsonString() ?? "null");
}
