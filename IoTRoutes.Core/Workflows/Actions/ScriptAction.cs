using System.Globalization;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats.Script;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using Jint;
using Jint.Native;
using Jint.Native.Json;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>
/// Logic in JavaScript, in the sandbox Script formats run in (<see cref="ScriptSandbox"/>: no CLR access, limits on time,
/// statements, memory and recursion, a fresh global scope per call). The script defines
/// <c>function process(item, device, message)</c>: <c>item</c> is a copy of the fields, <c>device</c> and <c>message</c>
/// what expressions see (or null). It returns the item to send on (an object: its fields become the item's), an array of
/// them to send several, or null/undefined to drop it (the run ends there, quietly). A throw or a limit goes to the error
/// port with the script's message and line. Compiled once per version: a syntax error, a top level that throws or no
/// <c>process</c> function is a problem at <c>script</c>.
/// </summary>
public sealed class ScriptAction : WorkflowAction
{
    public const string FunctionName = "process";

    /// <summary>Items one call may send on (the run's hop limit would stop more anyway).</summary>
    public const int MaxItems = 100;

    // The defaults of a Script format: 100 ms, a million statements, 16 MiB, 100 levels of recursion, 256 KiB of script.
    private static readonly ScriptSettings Limits = new();

    public override string Type => "Script";

    public override string Category => "Data";

    public override string Description => "Runs JavaScript on the item: process(item, device, message) returns the item, several, or null.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("script", SettingKind.Script, "Script", Required: true,
            Help: "function process(item, device, message) { item.tempF = item.temp * 9 / 5 + 32; return item; } — return null to drop the item, an array to send several.")
        {
            Default = "function process(item, device, message) {\n  return item;\n}\n",
        },
    ];

    public override string Summarize(JsonObject settings)
    {
        var script = Short(settings, "script", int.MaxValue);
        var lines = script.Split('\n').Count(l => !string.IsNullOrWhiteSpace(l));
        return lines == 0 ? "" : $"{FunctionName}(): {lines} line{(lines == 1 ? "" : "s")} of JavaScript";
    }

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var script = node.Text("script", required: true, Limits.MaxScriptKilobytes * 1024);
        if (script is null || node.Problems.Count > 0) return null;
        if (System.Text.Encoding.UTF8.GetByteCount(script) > Limits.MaxScriptKilobytes * 1024)
        {
            node.Problem("script", $"The script is over {Limits.MaxScriptKilobytes} KiB.");
            return null;
        }

        var (parsed, syntax) = ScriptSandbox.Parse(script, $"{node.Node.Id}.js");
        if (parsed is not { } prepared)
        {
            node.Problem("script", syntax!);
            return null;
        }

        try
        {
            if (new ScriptSandbox(prepared, Limits, reuse: false).Probe().GetValue(FunctionName) is not Jint.Native.Function.Function)
            {
                node.Problem("script", $"The script defines no {FunctionName}(item, device, message) function.");
                return null;
            }
        }
        catch (Exception e) when (ScriptSandbox.Problem(e) is { } problem)
        {
            node.Problem("script", problem);
            return null;
        }

        return new Runner(new ScriptSandbox(prepared, Limits, reuse: true));
    }

    internal sealed class Runner(ScriptSandbox sandbox) : NodeRunner
    {
        /// <summary>Why calls do not share engines (null when they do).</summary>
        internal string? WhyNotReused => sandbox.WhyNotReused;

        /// <summary>Engines made for calls so far; null when each call gets a fresh one.</summary>
        internal long? EnginesCreated => sandbox.EnginesCreated;

        public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            JsonNode? result;
            try
            {
                using var script = sandbox.Begin();
                var engine = script.Engine;
                var answer = engine.Invoke(FunctionName, Fields(engine, input.Fields), Device(engine, input.Device), Message(engine, input.Message));
                result = answer.IsUndefined() ? null : ScriptResults.ToJson(answer);
                script.Completed();
            }
            catch (Exception e) when (ScriptSandbox.Problem(e) is { } problem)
            {
                return new(NodeResult.Fail(problem));
            }

            return new(Result(result, input));
        }

        private static NodeResult Result(JsonNode? result, WorkflowItem input)
        {
            switch (result)
            {
                case null:
                    return NodeResult.Nothing;
                case JsonObject fields:
                    return NodeResult.Out(WorkflowItem.FromJson(fields, input.Device, input.Message, input.Trigger));
                case JsonArray items when items.Count > MaxItems:
                    return NodeResult.Fail($"{FunctionName} returned {items.Count} items; at most {MaxItems} go on from one call.");
                case JsonArray items when items.All(i => i is JsonObject):
                    return items.Count == 0
                        ? NodeResult.Nothing
                        : NodeResult.Many([.. items.Select(i => (WorkflowPorts.Out, WorkflowItem.FromJson(i!.AsObject(), input.Device, input.Message, input.Trigger)))]);
                default:
                    return NodeResult.Fail($"{FunctionName} must return an object (the item), an array of objects (several items) or null (none), not {Describe(result)}.");
            }
        }

        private static string Describe(JsonNode result) => result switch
        {
            JsonArray => "an array holding something other than objects",
            JsonValue v => v.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.String => "a text",
                System.Text.Json.JsonValueKind.Number => "a number",
                _ => "true or false",
            },
            _ => "that",
        };

        private static JsValue Fields(Jint.Engine engine, IReadOnlyDictionary<string, object?> fields) =>
            JsObject.CreateFromEntries(engine, fields.Select(f => new KeyValuePair<string, JsValue>(f.Key, Value(engine, f.Value))));

        private static JsValue Device(Jint.Engine engine, DeviceContext? device) => device is null ? JsValue.Null : JsObject.CreateFromEntries(engine, new KeyValuePair<string, JsValue>[]
        {
            new("id", device.Id.ToString("D")), new("name", device.Name), new("key", device.Key), new("entityId", device.EntityId.ToString("D")),
            new("profile", device.ProfileName is { } profile ? new JsString(profile) : JsValue.Null), new("attributes", Fields(engine, device.Attributes)),
        });

        private static JsValue Message(Jint.Engine engine, MessageContext? message) => message is null ? JsValue.Null : JsObject.CreateFromEntries(engine, new KeyValuePair<string, JsValue>[]
        {
            new("id", message.Id.ToString("D")), new("topic", message.Topic), new("receivedAt", Time(message.ReceivedAt)),
            new("deviceTime", message.DeviceTime is { } at ? new JsString(Time(at)) : JsValue.Null),
        });

        /// <summary>A field's value as the script sees it: as JSON would give it (numbers, text, true/false, null, objects, arrays).</summary>
        private static JsValue Value(Jint.Engine engine, object? value) => value switch
        {
            null => JsValue.Null,
            double d => new JsNumber(d),
            long l => new JsNumber(l),
            int i => new JsNumber(i),
            decimal m => new JsNumber((double)m),
            float f => new JsNumber(f),
            bool b => b ? JsBoolean.True : JsBoolean.False,
            string s => new JsString(s),
            JsonNode node => new JsonParser(engine).Parse(node.ToJsonString()),
            DateTimeOffset t => new JsString(Time(t)),
            _ => new JsString(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
        };

        private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
