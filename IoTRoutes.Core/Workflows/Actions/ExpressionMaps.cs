using System.Globalization;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>A FieldMap setting of name → expression (<c>{"heatIndex": "temp * 1.1"}</c>), each name and expression checked where it is.</summary>
internal static class ExpressionMaps
{
    /// <param name="checkName">Why a name cannot be used, or null.</param>
    public static IReadOnlyList<(string Name, CompiledExpression Value)> Compile(NodeCompilation node, string setting, Func<string, string?> checkName, int max)
    {
        var compiled = new List<(string, CompiledExpression)>();
        switch (node.Settings[setting])
        {
            case null:
                node.Problem(setting, "Required.");
                return compiled;
            case JsonObject { Count: 0 }:
                node.Problem(setting, "Give at least one name and its expression.");
                return compiled;
            case JsonObject map when map.Count > max:
                node.Problem(setting, $"At most {max} at once.");
                return compiled;
            case JsonObject map:
                foreach (var (name, value) in map)
                {
                    var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s
                        : value is JsonValue number && number.TryGetValue<double>(out var n) ? n.ToString(CultureInfo.InvariantCulture)
                        : null;
                    if (checkName(name) is { } nameProblem)
                    {
                        node.Problem($"{setting}.{name}", nameProblem);
                    }
                    else if (string.IsNullOrWhiteSpace(text))
                    {
                        node.Problem($"{setting}.{name}", "An expression is expected, e.g. temp * 1.1 or 'B12'.");
                    }
                    else
                    {
                        var (expression, error) = node.Languages.Expressions.Compile(text);
                        if (expression is null || error is not null) node.Problem($"{setting}.{name}", error ?? "Not an expression.");
                        else compiled.Add((name, expression));
                    }
                }

                return compiled;
            default:
                node.Problem(setting, "An object of names and expressions is expected.");
                return compiled;
        }
    }

    /// <summary>For a node's summary on the canvas: <c>a = x, b = y</c>, shortened.</summary>
    public static string Summarize(JsonObject settings, string setting)
    {
        var text = settings[setting] is JsonObject map ? string.Join(", ", map.Select(p => $"{p.Key} = {p.Value}")) : "";
        return text.Length <= 60 ? text : text[..59] + "…";
    }
}
