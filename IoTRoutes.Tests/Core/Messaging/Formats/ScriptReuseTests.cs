using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Formats.Decoding;
using IoTRoutes.Core.Messaging.Formats.Script;

namespace IoTRoutes.Tests.Core.Messaging.Formats;

/// <summary>
/// Calls of a script share engines when the script cannot tell: every call still sees a fresh global scope. Each script
/// here counts something it could carry from one call to the next; every call must answer 1.
/// </summary>
public sealed class ScriptReuseTests
{
    [Theory]
    [InlineData("var count = 0; function decodeUplink(i) { count++; return { data: { n: count } }; }")]
    [InlineData("var seen; function decodeUplink(i) { seen = (seen || 0) + 1; return { data: { n: seen } }; }")]
    [InlineData("var cache = { n: 0 }; function decodeUplink(i) { cache.n++; return { data: { n: cache.n } }; }")]
    [InlineData("var list = []; function decodeUplink(i) { list.push(1); return { data: { n: list.length } }; }")]
    [InlineData("function decodeUplink(i) { if (typeof leaked === 'undefined') leaked = 0; leaked++; return { data: { n: leaked } }; }")]
    [InlineData("function decodeUplink(i) { var s = 0; for (k = 0; k < 1; k++) { s++; } total = (typeof total === 'number' ? total : 0) + s; return { data: { n: total } }; }")]
    [InlineData("if (true) { var hoisted; } function decodeUplink(i) { hoisted = (hoisted || 0) + 1; return { data: { n: hoisted } }; }")]
    [InlineData("function decodeUplink(i) { var o = {}; o.a = { b: {} }; o.a.b.n = 1; return { data: { n: o.a.b.n } }; }")]
    public void A_script_whose_calls_change_only_its_own_bindings_and_globals_reuses_one_engine_and_each_call_starts_afresh(string script)
    {
        var codec = Build(script);

        var answers = Enumerable.Range(0, 5).Select(_ => codec.Decode(Input([1]))).ToList();

        Assert.Null(codec.WhyNotReused);
        Assert.All(answers, a => AssertJson("""{"n":1}""", a.Data));
        Assert.Equal(1, codec.EnginesCreated);
    }

    [Theory]
    [InlineData("function decodeUplink(i) { Math.k = (Math.k || 0) + 1; return { data: { n: Math.k } }; }", "Math")]
    [InlineData("function decodeUplink(i) { Array.prototype.k = (Array.prototype.k || 0) + 1; return { data: { n: [].k } }; }", ".prototype")]
    [InlineData("function decodeUplink(i) { var M = Math; M.k = (M.k || 0) + 1; return { data: { n: M.k } }; }", "Math as a value")]
    [InlineData("function decodeUplink(i) { var p = Object.getPrototypeOf([]); p.k = (p.k || 0) + 1; return { data: { n: [].k } }; }", "getPrototypeOf")]
    [InlineData("function decodeUplink(i) { var p = [].constructor; p.k = (p.k || 0) + 1; return { data: { n: Array.k } }; }", ".constructor")]
    [InlineData("function decodeUplink(i) { ({}).__proto__.k = (({}).k || 0) + 1; return { data: { n: ({}).k } }; }", "__proto__")]
    [InlineData("function decodeUplink(i) { Object.defineProperty(Math, 'k', { value: (Math.k || 0) + 1, configurable: true }); return { data: { n: Math.k } }; }", "defineProperty")]
    [InlineData("function decodeUplink(i) { eval('Math.k = (Math.k || 0) + 1'); return { data: { n: Math.k } }; }", "eval")]
    [InlineData("function bump() { this.k = (this.k || 0) + 1; return this.k; } function decodeUplink(i) { return { data: { n: bump() } }; }", "this")]
    [InlineData("const t = { n: 0 }; function decodeUplink(i) { t.n++; return { data: { n: t.n } }; }", "let, const or class")]
    [InlineData("let t = 0; function decodeUplink(i) { t++; return { data: { n: t } }; }", "let, const or class")]
    public void A_script_that_could_change_what_engines_share_gets_a_fresh_engine_per_call(string script, string why)
    {
        var codec = Build(script);

        var answers = Enumerable.Range(0, 3).Select(_ => codec.Decode(Input([1]))).ToList();

        Assert.Contains(why, codec.WhyNotReused);
        Assert.Null(codec.EnginesCreated);
        Assert.All(answers, a => AssertJson("""{"n":1}""", a.Data));
    }

    // Found by an independent review: each tries to carry something from one call to the next past the reading of its source.
    [Theory]
    [InlineData("if (typeof cache === 'undefined') { cache = { n: 0 }; } function decodeUplink(i) { cache.n++; return { data: { n: cache.n } }; }")]
    [InlineData("seed = 1; function decodeUplink(i) { var p = (typeof leaked === 'undefined') ? 0 : leaked; delete seed; leaked = p + 1; return { data: { n: leaked } }; }")]
    [InlineData("function decodeUplink(i) { [Math.calls] = [(Math.calls || 0) + 1]; return { data: { n: Math.calls } }; }")]
    [InlineData("function unused(JSON) { return JSON; } function decodeUplink(i) { JSON.count = (JSON.count || 0) + 1; return { data: { n: JSON.count } }; }")]
    [InlineData("function unused(eval) { return eval; } function decodeUplink(i) { eval('Math.k = (Math.k || 0) + 1'); return { data: { n: Math.k } }; }")]
    [InlineData("function decodeUplink(i) { [Object.prototype.k] = [(({}).k || 0) + 1]; return { data: { n: ({}).k } }; }")]
    [InlineData("function decodeUplink(i) { [].push.k = ([].push.k || 0) + 1; return { data: { n: [].push.k } }; }")]
    [InlineData("function decodeUplink(i) { var prev = RegExp.$1 || ''; /(x\\d)/.exec('x' + i.bytes[0]); return { data: { n: prev === '' ? 1 : prev } }; }")]
    [InlineData("if (typeof once === 'undefined') { once = 1; } else { once++; } function decodeUplink(i) { return { data: { n: once } }; }")]
    [InlineData("function decodeUplink(i) { for (JSON.k in { a: 1 }) {} return { data: { n: JSON.k === undefined ? 1 : 2 } }; }")]
    [InlineData("function decodeUplink(i) { Object.assign(JSON.parse, { k: (JSON.parse.k || 0) + 1 }); return { data: { n: JSON.parse.k } }; }")]
    [InlineData("function decodeUplink(i) { var o = {}; o.toString.k = (o.toString.k || 0) + 1; return { data: { n: o.toString.k } }; }")]
    [InlineData("function decodeUplink(i) { var a = []; var p = a.push; p.k = (p.k || 0) + 1; return { data: { n: p.k } }; }")]
    [InlineData("function decodeUplink(i) { var o = {}; var k = '__proto__'; o[k].n = (o[k].n || 0) + 1; return { data: { n: ({}).n } }; }")]
    [InlineData("function decodeUplink(i) { var o = {}; var p = o['__proto__']; p.n = (p.n || 0) + 1; return { data: { n: ({}).n } }; }")]
    public void A_script_that_tries_to_carry_state_from_one_call_to_the_next_gives_every_call_the_same_answer(string script)
    {
        var codec = Build(script);

        var answers = Enumerable.Range(0, 4).Select(n => codec.Decode(Input([(byte)(n + 1)]))).ToList();

        var first = answers[0].Data?.ToJsonString() ?? string.Join(",", answers[0].Errors);
        Assert.All(answers, a => Assert.Equal(first, a.Data?.ToJsonString() ?? string.Join(",", a.Errors)));
    }

    [Fact]
    public void A_call_that_throws_or_hits_a_limit_drops_its_engine_and_the_next_call_still_decodes()
    {
        var codec = Build("var n = 0; function decodeUplink(i) { n++; if (i.bytes[0] === 1) throw new Error('bad'); if (i.bytes[0] === 2) { while (true) {} } return { data: { n: n } }; }");

        var threw = codec.Decode(Input([1]));
        var looped = codec.Decode(Input([2]));
        var fine = codec.Decode(Input([3]));

        Assert.Contains("bad", Assert.Single(threw.Errors));
        Assert.Contains("limit", Assert.Single(looped.Errors));
        AssertJson("""{"n":1}""", fine.Data);
        Assert.Equal(3, codec.EnginesCreated);
    }

    [Fact]
    public void The_time_limit_of_a_reused_engine_covers_the_top_level_run_again_and_the_call_together()
    {
        var codec = ScriptCodec.Build(new ScriptSettings(
            "function busy(ms) { var t = Date.now(); while (Date.now() - t < ms) {} }\nvar slow = false;\nbusy(slow ? 0 : 200);\nfunction decodeUplink(i) { busy(i.bytes[0] * 10); return { data: {} }; }",
            TimeoutMilliseconds: 300, MaxStatements: 100_000_000, MemoryKilobytes: 1024 * 1024)).Codec!; // the time limit under test, not Jint's allocation count

        // Wide margins either side of the limit: a loaded machine can pause the thread for tens of milliseconds.
        var quick = codec.Decode(Input([0])); // 200 ms at the top level, nothing in the call
        var over = codec.Decode(Input([20])); // 200 ms + 200 ms: each under the limit, together well over it

        Assert.True(quick.Succeeded, string.Join("; ", quick.Errors));
        Assert.Contains("time limit", Assert.Single(over.Errors));
        Assert.Null(codec.WhyNotReused);
    }

    [Fact]
    public void Calls_from_many_threads_at_once_each_get_their_own_answer()
    {
        var codec = Build("var last; function decodeUplink(i) { last = i.bytes[0]; var s = 0; for (var k = 0; k < 200; k++) { s += k; } return { data: { b: last, s: s } }; }");

        var answers = new DecodedMessage[400];
        Parallel.For(0, answers.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, n => answers[n] = codec.Decode(Input([(byte)(n % 256)])));

        for (var n = 0; n < answers.Length; n++)
        {
            AssertJson($$"""{"b":{{n % 256}},"s":19900}""", answers[n].Data);
        }

        // Reused: 400 calls on 8 threads need a handful of engines. An engine whose call ran past its budget on a starved
        // machine is not reused (its deadline is spent), so the bound leaves room for a few, not for one per call.
        Assert.InRange(codec.EnginesCreated!.Value, 1, 40);
    }

    [Fact]
    public void Common_repository_idioms_keep_engines_reused()
    {
        var codec = Build("""
            var TYPES = { 1: "temperature", 2: "humidity" };
            function hex(bytes) { return bytes.map(function (b) { return ("0" + (b & 0xff).toString(16)).slice(-2); }).join(""); }
            function decodeUplink(input) {
              var data = { raw: hex(input.bytes), kind: TYPES[input.bytes[0]] || "unknown" };
              data.value = parseInt(hex(input.bytes.slice(1, 3)), 16) / 10;
              data.text = String.fromCharCode.apply(null, input.bytes.slice(3));
              data.parts = Array.prototype.slice.call(input.bytes, 0, 2);
              data.rounded = Math.round(data.value);
              if (data.value === undefined || isNaN(data.value) || !(input.bytes instanceof Array)) { return { errors: ["bad"] }; }
              return { data: data, warnings: typeof Buffer === "undefined" ? [] : ["node"] };
            }
            """);

        var decoded = codec.Decode(Input([1, 0x01, 0x05, 0x41]));

        Assert.Null(codec.WhyNotReused);
        AssertJson("""{"raw":"01010541","kind":"temperature","value":26.1,"text":"A","parts":[1,1],"rounded":26}""", decoded.Data);
    }

    [Fact]
    public void Trying_a_sample_tells_the_author_when_and_why_each_message_needs_an_engine_of_its_own()
    {
        var slow = Try("const K = 2; function decodeUplink(i) { return { data: { v: i.bytes[0] * K } }; }");
        var shared = Try("var K = 2; function decodeUplink(i) { return { data: { v: i.bytes[0] * K } }; }");

        AssertJson("""{"v":6}""", slow.Data);
        AssertJson("""{"v":6}""", shared.Data);
        Assert.Contains("engine of its own because it declares let, const or class", slow.Note);
        Assert.Null(shared.Note);
    }

    private static TryResult Try(string script)
    {
        var (format, errors) = FormatCompiler.Compile(FormatKind.Script, new JsonObject { ["script"] = script });
        Assert.Empty(errors);
        return FormatTrial.Try(format!, ExchangeType.Telemetry, [3], 1, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
    }

    private static ScriptCodec Build(string script)
    {
        var (codec, errors) = ScriptCodec.Build(new ScriptSettings(script, TimeoutMilliseconds: 1000));
        return codec ?? throw new Xunit.Sdk.XunitException(string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")));
    }

    private static DecodeInput Input(byte[] bytes) => new(bytes, 1, new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero), new Dictionary<string, string>());

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual?.ToJsonString() ?? "null");
}
