using System.Text.Json;
using System.Text.Json.Nodes;
using Acornima;
using IoTRoutes.Core.Messaging.Formats.Decoding;
using Jint;
using Jint.Native;
using System.Text.RegularExpressions;
using Jint.Runtime;
using Jint.Constraints;

namespace IoTRoutes.Core.Messaging.Formats.Script;

/// <summary>
/// A <c>Script</c> format version on Jint: parsed once, run in a fresh engine (a fresh global scope) per call, non-strict
/// with ES2015+ features, without any CLR access, within the format's limits on time, statements, memory and recursion.
/// A throw, a breach or a result that breaks the contract is an error with the line and column where it happened.
/// Results follow JSON semantics (through JSON.stringify: exact doubles, <c>undefined</c> dropped).
/// </summary>
public sealed class ScriptCodec : IPayloadDecoder, Encoders.IPayloadEncoder
{
    private readonly Prepared<Acornima.Ast.Script> _script;
    private readonly ScriptSettings _settings;
    private readonly bool _legacy;
    private readonly Defined _defines;

    // A fresh engine builds its Date intrinsic on first use, a good part of a short codec's run: only when the script
    // can read recvTime.
    private readonly bool _readsTime;

    /// <summary>
    /// The first script a process runs pays for compiling much of Jint's interpreter, tens of milliseconds on a busy
    /// machine, and the time limit reads the clock: our own script pays it once so a user's first save is not refused.
    /// </summary>
    private static readonly Lazy<bool> Warm = new(() =>
    {
        var engine = new Engine(options => options.Strict(false));
        engine.Execute("function decodeUplink(input) { var b = input.bytes, o = { list: [] }; for (var i = 0; i < b.length; i++) { o.list.push((b[i] << 8 | b[i] & 0x0f) / 10); } " +
                       "o.text = String.fromCharCode.apply(null, b) + JSON.stringify(o.list).slice(0, 4); o.when = new Date(input.recvTime).toISOString(); return { data: o, warnings: [], errors: [] }; }");
        var argument = engine.Evaluate("({ bytes: [1, 2, 3], fPort: 1, recvTime: 0, variables: {} })");
        return ScriptResults.ToJson(engine.Invoke("decodeUplink", argument)) is not null;
    });

    // Engines reused across calls when the script cannot tell (ScriptReuse); null: a fresh engine per call.
    private readonly ReusedEngines? _reused;

    private ScriptCodec(Prepared<Acornima.Ast.Script> script, ScriptSettings settings, bool legacy, Defined defines, ScriptReuse? reuse = null)
    {
        (_script, _settings, _legacy, _defines, _readsTime) = (script, settings, legacy, defines, settings.Script?.Contains("recvTime", StringComparison.Ordinal) != false);
        _reused = reuse is { WhyNot: null } ? new ReusedEngines(NewEngine, script, reuse.TopLevelVars, reuse.TopLevelNames) : null;
        WhyNotReused = reuse?.WhyNot;
    }

    /// <summary>Why each call gets an engine of its own; null when calls reuse engines.</summary>
    public string? WhyNotReused { get; }

    /// <summary>Engines made for calls so far; null when calls do not reuse engines.</summary>
    internal long? EnginesCreated => _reused?.Created;

    // What engines share, by name (ScriptReuse), read from a fresh engine once.
    private static readonly Lazy<SharedNames> Shared = new(() =>
    {
        var engine = new Engine();
        var global = engine.Global;
        var globals = global.GetOwnPropertyKeys().Where(k => k.IsString() && global.Get(k).IsObject()).Select(k => k.AsString()).ToHashSet(StringComparer.Ordinal);
        var constants = engine.Evaluate("""
            (function () { var out = []; Object.getOwnPropertyNames(globalThis).forEach(function (n) { var o = globalThis[n];
              if (o === null || (typeof o !== 'object' && typeof o !== 'function')) return;
              Object.getOwnPropertyNames(o).forEach(function (p) { var d = Object.getOwnPropertyDescriptor(o, p);
                if (d && 'value' in d && (d.value === null || (typeof d.value !== 'object' && typeof d.value !== 'function'))) out.push(n + '.' + p); }); });
              return out.join('\n'); })()
            """).AsString();
        var members = engine.Evaluate("""
            (function () { var names = {}; var protos = [Object.prototype, Function.prototype, Array.prototype, String.prototype, Number.prototype,
              Boolean.prototype, Symbol.prototype, Date.prototype, RegExp.prototype, Error.prototype, Map.prototype, Set.prototype, WeakMap.prototype,
              WeakSet.prototype, Promise.prototype, ArrayBuffer.prototype, DataView.prototype, Object.getPrototypeOf(Uint8Array.prototype), Uint8Array.prototype,
              Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))];
              protos.forEach(function (p) { Object.getOwnPropertyNames(p).forEach(function (n) { var d = Object.getOwnPropertyDescriptor(p, n);
                if (d && 'value' in d && d.value !== null && (typeof d.value === 'object' || typeof d.value === 'function')) names[n] = 1; }); });
              return Object.keys(names).join('\n'); })()
            """).AsString();
        return new SharedNames(globals, constants.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal),
            members.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal));
    });

    /// <summary>The optional TS013 functions the script defines, found when it is built.</summary>
    [Flags]
    private enum Defined
    {
        None = 0,
        DecodeDownlink = 1,
        NormalizeUplink = 2,
    }

    /// <summary>Decodes downlinks with the script's <c>decodeDownlink</c>; null when the script defines none.</summary>
    public IPayloadDecoder? DownlinkDecoder => _defines.HasFlag(Defined.DecodeDownlink) ? new Downlinks(this) : null;

    public static (ScriptCodec? Codec, Dictionary<string, string[]> Errors) Build(ScriptSettings settings)
    {
        var errors = new Dictionary<string, string[]>();
        // Scripts run on the intake's writer threads: a long limit would hold every device's messages.
        if (settings.TimeoutMilliseconds is < 1 or > 1_000) errors["timeoutMilliseconds"] = ["The time limit is 1 to 1,000 ms."];
        if (settings.MaxStatements is < 100 or > 100_000_000) errors["maxStatements"] = ["The statement limit is 100 to 100,000,000."];
        if (settings.MemoryKilobytes is < 256 or > 1024 * 1024) errors["memoryKilobytes"] = ["The memory limit is 256 KiB to 1 GiB."];
        if (settings.MaxRecursion is < 10 or > 10_000) errors["maxRecursion"] = ["The recursion limit is 10 to 10,000."];
        if (settings.MaxScriptKilobytes is < 1 or > 4096) errors["maxScriptKilobytes"] = ["The script size limit is 1 to 4,096 KiB."];
        if (string.IsNullOrWhiteSpace(settings.Script)) errors["script"] = ["A script is needed: function decodeUplink(input) { return { data: {...} }; }"];
        else if (System.Text.Encoding.UTF8.GetByteCount(settings.Script) > settings.MaxScriptKilobytes * 1024) errors["script"] = [$"The script is over {settings.MaxScriptKilobytes} KiB."];
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        Prepared<Acornima.Ast.Script> prepared;
        try
        {
            prepared = Engine.PrepareScript(settings.Script!, "codec.js", strict: false);
        }
        catch (ScriptPreparationException e) when (e.InnerException is ParseErrorException syntax)
        {
            return (null, new() { ["script"] = [$"Syntax error at line {syntax.LineNumber}, column {syntax.Column}: {syntax.Description}"] });
        }

        _ = Warm.Value;

        // Run once to see what it defines: a top-level throw or an endless loop is found here, not on the first message.
        var probe = new ScriptCodec(prepared, settings, legacy: false, Defined.None);
        try
        {
            var engine = probe.FreshEngine();
            engine.Execute(prepared);
            bool Defines(string name) => engine.GetValue(name) is Jint.Native.Function.Function;
            var modern = Defines("decodeUplink");
            var legacy = !modern && Defines("Decoder");
            var defines = (Defines("decodeDownlink") ? Defined.DecodeDownlink : Defined.None)
                | (modern && Defines("normalizeUplink") ? Defined.NormalizeUplink : Defined.None);
            return modern || legacy
                ? (new ScriptCodec(prepared, settings, legacy, defines, ScriptReuse.Of(prepared.Program!, Shared.Value)), errors)
                : (null, new() { ["script"] = ["The script defines neither decodeUplink(input) (TS013) nor Decoder(bytes, port)."] });
        }
        catch (Exception e) when (Problem(e) is { } problem)
        {
            return (null, new() { ["script"] = [problem] });
        }
    }

    public DecodedMessage Decode(DecodeInput input)
    {
        var lease = _reused?.Rent(Budget);
        var ended = false;
        try
        {
            var engine = lease?.Engine ?? FreshEngine();
            if (lease is null) engine.Execute(_script);
            var bytes = new JsArray(engine, [.. input.Payload.ToArray().Select(b => (JsValue)new JsNumber(b))]);
            if (_legacy)
            {
                var legacyData = engine.Invoke("Decoder", bytes, new JsNumber(input.FPort));
                var legacyResult = JsonOf(engine, legacyData) is JsonObject legacyObject
                    ? DecodedMessage.Of(legacyObject)
                    : DecodedMessage.Failed("Decoder(bytes, port) must return an object.");
                ended = true;
                return legacyResult;
            }

            var variables = JsObject.CreateFromEntries(engine, input.Variables.Select(v => new KeyValuePair<string, JsValue>(v.Key, new JsString(v.Value))));
            var received = _readsTime ? engine.Construct("Date", new JsNumber(input.ReceivedAt.ToUnixTimeMilliseconds())) : JsValue.Undefined;
            var argument = JsObject.CreateFromEntries(engine, new KeyValuePair<string, JsValue>[]
            {
                new("bytes", bytes), new("fPort", new JsNumber(input.FPort)), new("recvTime", received), new("variables", variables),
            });
            var result = engine.Invoke("decodeUplink", argument);
            var decoded = Contract(JsonOf(engine, result), "decodeUplink");
            decoded = decoded.Succeeded && _defines.HasFlag(Defined.NormalizeUplink) ? Normalize(engine, result.AsObject().Get("data"), decoded) : decoded;
            ended = true;
            return decoded;
        }
        catch (Exception e) when (Problem(e) is { } problem)
        {
            return DecodedMessage.Failed(problem);
        }
        finally
        {
            if (lease is not null) _reused!.Return(lease, ended);
        }
    }

    /// <summary>
    /// TS013's optional <c>normalizeUplink({data})</c>: <c>{data, warnings, errors}</c>, data in the Device Repository's
    /// normalized schema (an object or an array of objects). Its errors reject the message as decodeUplink's do; warnings add up.
    /// </summary>
    private static DecodedMessage Normalize(Engine engine, JsValue data, DecodedMessage decoded)
    {
        var argument = JsObject.CreateFromEntries(engine, new KeyValuePair<string, JsValue>[] { new("data", data) });
        if (JsonOf(engine, engine.Invoke("normalizeUplink", argument)) is not JsonObject answer)
        {
            return new DecodedMessage(null, null, decoded.Warnings, ["normalizeUplink must return an object: { data, warnings, errors }."]);
        }

        var warnings = decoded.Warnings.Concat(Strings(answer["warnings"])).ToList();
        var errors = Strings(answer["errors"]);
        if (errors.Count > 0)
        {
            return new DecodedMessage(null, null, warnings, [.. errors.Select(e => $"normalizeUplink: {e}")]);
        }

        return answer["data"] switch
        {
            JsonObject one => decoded with { Warnings = warnings, Normalized = one.DeepClone() },
            JsonArray many when many.Count > 0 && many.All(m => m is JsonObject) => decoded with { Warnings = warnings, Normalized = many.DeepClone() },
            _ => new DecodedMessage(null, null, warnings, ["normalizeUplink must return data: an object or an array of objects (and no errors)."]),
        };
    }

    /// <summary>TS013's <c>decodeDownlink({bytes, fPort})</c>: <c>{data, warnings, errors}</c>, what a downlink means.</summary>
    private DecodedMessage DecodeDownlink(DecodeInput input)
    {
        try
        {
            var engine = FreshEngine();
            engine.Execute(_script);
            var bytes = new JsArray(engine, [.. input.Payload.ToArray().Select(b => (JsValue)new JsNumber(b))]);
            var argument = JsObject.CreateFromEntries(engine, new KeyValuePair<string, JsValue>[] { new("bytes", bytes), new("fPort", new JsNumber(input.FPort)) });
            return Contract(JsonOf(engine, engine.Invoke("decodeDownlink", argument)), "decodeDownlink");
        }
        catch (Exception e) when (Problem(e) is { } problem)
        {
            return DecodedMessage.Failed(problem);
        }
    }

    private sealed class Downlinks(ScriptCodec codec) : IPayloadDecoder
    {
        public DecodedMessage Decode(DecodeInput input) => codec.DecodeDownlink(input);
    }

    /// <summary>TS013's <c>encodeDownlink({data})</c>: <c>{bytes, fPort, warnings, errors}</c>.</summary>
    public Encoders.EncodedPayload Encode(JsonObject data, int fPort)
    {
        try
        {
            var engine = FreshEngine();
            engine.Execute(_script);
            if (engine.GetValue("encodeDownlink") is not Jint.Native.Function.Function)
            {
                return Encoders.EncodedPayload.Failed(fPort, "The script defines no encodeDownlink(input): it cannot encode commands.");
            }

            var argument = engine.Evaluate("(" + new JsonObject { ["data"] = data.DeepClone() }.ToJsonString() + ")");
            if (JsonOf(engine, engine.Invoke("encodeDownlink", argument)) is not JsonObject answer)
            {
                return Encoders.EncodedPayload.Failed(fPort, "encodeDownlink must return an object: { bytes, fPort, warnings, errors }.");
            }

            var warnings = Strings(answer["warnings"]);
            var errors = Strings(answer["errors"]);
            var port = answer["fPort"] is JsonValue p && p.TryGetValue<double>(out var given) && given is >= 0 and <= 255 && given == Math.Floor(given) ? (int)given : fPort;
            if (errors.Count > 0)
            {
                return new Encoders.EncodedPayload(null, port, warnings, errors);
            }

            if (answer["bytes"] is not JsonArray array || array.Any(b => b is not JsonValue v || !v.TryGetValue<double>(out var n) || n is < 0 or > 255 || n != Math.Floor(n)))
            {
                return new Encoders.EncodedPayload(null, port, warnings, ["encodeDownlink must return bytes: an array of integers 0 to 255."]);
            }

            return new Encoders.EncodedPayload([.. array.Select(b => (byte)b!.GetValue<double>())], port, warnings, []);
        }
        catch (Exception e) when (Problem(e) is { } problem)
        {
            return Encoders.EncodedPayload.Failed(fPort, problem);
        }
    }

    /// <summary>TS013's answer: <c>{data, warnings, errors}</c>; non-empty errors reject the message.</summary>
    private static DecodedMessage Contract(JsonNode? result, string function)
    {
        if (result is not JsonObject answer)
        {
            return DecodedMessage.Failed($"{function} must return an object: {{ data, warnings, errors }}.");
        }

        var warnings = Strings(answer["warnings"]);
        var errors = Strings(answer["errors"]);
        if (errors.Count > 0)
        {
            return new DecodedMessage(null, null, warnings, errors);
        }

        return answer["data"] is JsonObject data
            ? DecodedMessage.Of((JsonObject)data.DeepClone(), null, warnings)
            : new DecodedMessage(null, null, warnings, [$"{function} returned no data object (and no errors)."]);
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(e => e is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : e?.ToJsonString() ?? "null")] : [];

    private static JsonNode? JsonOf(Engine engine, JsValue value) => value.IsUndefined() ? null : ScriptResults.ToJson(value);

    private TimeSpan Budget => TimeSpan.FromMilliseconds(_settings.TimeoutMilliseconds);

    /// <summary>A fresh engine whose time limit runs from now and covers the whole call (see <see cref="NewEngine"/>).</summary>
    private Engine FreshEngine()
    {
        var (engine, deadline) = NewEngine();
        deadline.Begin(Budget);
        return engine;
    }

    /// <summary>
    /// An engine within the format's limits. Its time limit covers a whole call, top level and function together: Jint's
    /// <see cref="OperationDeadlineConstraint"/> keeps one budget across Execute and Invoke (its TimeoutInterval restarts at
    /// each, allowing twice the limit) and reads the clock inline, so a busy thread pool cannot delay it as a timer would.
    /// Regular expressions have the same limit each.
    /// </summary>
    private (Engine Engine, OperationDeadlineConstraint Deadline) NewEngine()
    {
        var deadline = new OperationDeadlineConstraint();
        var engine = new Engine(options =>
        {
            options.Strict(false);
            options.Constraint(deadline);
            options.Constraints.RegexTimeout = Budget;
            options.MaxStatements(_settings.MaxStatements);
            options.LimitMemory(_settings.MemoryKilobytes * 1024L);
            options.LimitRecursion(_settings.MaxRecursion);
            options.Constraints.MaxArraySize = 10_000_000;
        });
        return (engine, deadline);
    }

    /// <summary>What went wrong in the script, with the line and column where Jint knows them; null for a bug of ours.</summary>
    private static string? Problem(Exception e)
    {
        var where = JintException.TryGetJavaScriptLocation(e, out var location) ? $" (line {location.Start.Line}, column {location.Start.Column + 1})" : "";
        return e switch
        {
            JavaScriptException js => $"The script threw{where}: {js.Message}",
            TimeoutException or RegexMatchTimeoutException => $"The script ran longer than its time limit{where}.",
            _ when e.GetType().Name == "ExecutionCanceledException" => $"The script ran longer than its time limit{where}.",
            ScriptResultException => e.Message,
            StatementsCountOverflowException => $"The script ran more statements than its limit{where}.",
            MemoryLimitExceededException => $"The script used more memory than its limit{where}.",
            RecursionDepthOverflowException => $"The script recursed deeper than its limit{where}.",
            ParseErrorException p => $"Syntax error at line {p.LineNumber}, column {p.Column}: {p.Description}",
            JintException or InvalidOperationException or ArgumentException => $"The script failed{where}: {e.Message}",
            _ => null,
        };
    }
}
