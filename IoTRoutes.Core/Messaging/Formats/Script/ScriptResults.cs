using System.Text.Json.Nodes;
using Jint;
using Jint.Native;
using Jint.Native.Object;

namespace IoTRoutes.Core.Messaging.Formats.Script;

/// <summary>A script's result that cannot be kept: nested too deep, or too large.</summary>
internal sealed class ScriptResultException(string message) : Exception(message);

/// <summary>
/// A script's result as JSON, with JSON.stringify's semantics (undefined and functions dropped from objects and null in
/// arrays, NaN and infinities null, dates as ISO text) but bounded: at most <see cref="MaxDepth"/> levels and
/// <see cref="MaxSize"/> characters, and only data properties (no getter runs after the script's time is up).
/// Jint's own serialiser recurses without limit, and a deep enough object would overflow the stack.
/// </summary>
internal static class ScriptResults
{
    public const int MaxDepth = 64;
    public const int MaxSize = 1_000_000;

    public static JsonNode? ToJson(JsValue value)
    {
        var budget = MaxSize;
        return Convert(value, 0, ref budget);
    }

    private static JsonNode? Convert(JsValue value, int depth, ref int budget)
    {
        if (--budget < 0)
        {
            throw new ScriptResultException($"The script's result is larger than {MaxSize:N0} characters.");
        }

        if (value.IsNull() || value.IsUndefined()) return null;
        if (value.IsBoolean()) return JsonValue.Create(value.AsBoolean());
        if (value.IsNumber())
        {
            var number = value.AsNumber();
            return double.IsFinite(number) ? JsonValue.Create(number) : null;
        }

        if (value.IsString())
        {
            var text = value.AsString();
            budget -= text.Length;
            if (budget < 0) throw new ScriptResultException($"The script's result is larger than {MaxSize:N0} characters.");
            return JsonValue.Create(text);
        }

        if (value.IsDate())
        {
            return JsonValue.Create(value.AsDate().ToDateTime().ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (depth >= MaxDepth)
        {
            throw new ScriptResultException($"The script's result is nested deeper than {MaxDepth} levels.");
        }

        if (value.IsArray())
        {
            var array = value.AsArray();
            var json = new JsonArray();
            for (uint i = 0; i < array.Length; i++)
            {
                var item = array.Get(i);
                json.Add(item is Jint.Native.Function.Function ? null : Convert(item, depth + 1, ref budget));
            }

            return json;
        }

        if (value is not ObjectInstance obj || value is Jint.Native.Function.Function)
        {
            return null;
        }

        var result = new JsonObject();
        foreach (var (key, descriptor) in obj.GetOwnProperties())
        {
            if (!key.IsString() || !descriptor.Enumerable || !descriptor.IsDataDescriptor()) continue;
            var item = descriptor.Value;
            if (item.IsUndefined() || item is Jint.Native.Function.Function) continue;
            budget -= key.AsString().Length;
            result[key.AsString()] = Convert(item, depth + 1, ref budget);
        }

        return result;
    }
}
