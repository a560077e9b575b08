using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats.Decoding;
using Jint;
using Jint.Native;

namespace IoTRoutes.Core.Messaging.Formats.Script;

/// <summary>
/// A <c>Script</c> format version on Jint, in the platform's <see cref="ScriptSandbox"/>: parsed once, each call in a
/// fresh global scope, non-strict with ES2015+ features, without any CLR access, within the format's limits on time,
/// statements, memory and recursion.
/// A throw, a breach or a result that breaks the contract is an error with the line and column where it happened.
/// Results follow JSON semantics (through JSON.stringify: exact doubles, <c>undefined</c> dropped).
/// </summary>
public sealed class ScriptCodec : IPayloadDecoder, Encoders.IPayloadEncoder
{
    private readonly ScriptSandbox _sandbox;
    private readonly bool _legacy;
    private readonly Defined _defines;

    // A fresh engine builds its Date intrinsic on first use, a good part of a short codec's run: only when the script
    // can read recvTime.
    private readonly bool _readsTime;

    private ScriptCodec(ScriptSandbox sandbox, ScriptSettings settings, bool legacy, Defined defines)
    {
        (_sandbox, _legacy, _defines, _readsTime) = (sandbox, legacy, defines, settings.Script?.Contains("recvTime", StringComparison.Ordinal) != false);
    }

    /// <summary>Why each call gets an engine of its own; null when calls reuse engines.</summary>
    public string? WhyNotReused => _sandbox.WhyNotReused;

    /// <summary>Engines made for calls so far; null when calls do not reuse engines.</summary>
    internal long? EnginesCreated => _sandbox.EnginesCreated;

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

        var (parsed, syntax) = ScriptSandbox.Parse(settings.Script!, "codec.js");
        if (parsed is not { } prepared)
        {
            return (null, new() { ["script"] = [syntax!] });
        }

        // Run once to see what it defines: a top-level throw or an endless loop is found here, not on the first message.
        try
        {
            var engine = new ScriptSandbox(prepared, settings, reuse: false).Probe();
            bool Defines(string name) => engine.GetValue(name) is Jint.Native.Function.Function;
            var modern = Defines("decodeUplink");
            var legacy = !modern && Defines("Decoder");
            var defines = (Defines("decodeDownlink") ? Defined.DecodeDownlink : Defined.None)
                | (modern && Defines("normalizeUplink") ? Defined.NormalizeUplink : Defined.None);
            return modern || legacy
                ? (new ScriptCodec(new ScriptSandbox(prepared, settings, reuse: true), settings, legacy, defines), errors)
                : (null, new() { ["script"] = ["The script defines neither decodeUplink(input) (TS013) nor Decoder(bytes, port)."] });
        }
        catch (Exception e) when (ScriptSandbox.Problem(e) is { } problem)
        {
            return (null, new() { ["script"] = [problem] });
        }
    }

    public DecodedMessage Decode(DecodeInput input)
    {
        try
        {
            using var call = _sandbox.Begin();
            var engine = call.Engine;
            var bytes = new JsArray(engine, [.. input.Payload.ToArray().Select(b => (JsValue)new JsNumber(b))]);
            if (_legacy)
            {
                var legacyData = engine.Invoke("Decoder", bytes, new JsNumber(input.FPort));
                var legacyResult = JsonOf(engine, legacyData) is JsonObject legacyObject
                    ? DecodedMessage.Of(legacyObject)
                    : DecodedMessage.Failed("Decoder(bytes, port) must return an object.");
                call.Completed();
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
            call.Completed();
            return decoded;
        }
        catch (Exception e) when (ScriptSandbox.Problem(e) is { } problem)
        {
            return DecodedMessage.Failed(problem);
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
            using var call = _sandbox.Begin(fresh: true);
            var engine = call.Engine;
            var bytes = new JsArray(engine, [.. input.Payload.ToArray().Select(b => (JsValue)new JsNumber(b))]);
            var argument = JsObject.CreateFromEntries(engine, new KeyValuePair<string, JsValue>[] { new("bytes", bytes), new("fPort", new JsNumber(input.FPort)) });
            return Contract(JsonOf(engine, engine.Invoke("decodeDownlink", argument)), "decodeDownlink");
        }
        catch (Exception e) when (ScriptSandbox.Problem(e) is { } problem)
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
            using var call = _sandbox.Begin(fresh: true);
            var engine = call.Engine;
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
        catch (Exception e) when (ScriptSandbox.Problem(e) is { } problem)
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
}
