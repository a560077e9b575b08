using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>
/// Changes an item's fields: <c>set</c> computes fields from expressions (all from the input, so their order does not
/// matter), then <c>rename</c> renames, then <c>remove</c> removes.
/// </summary>
public sealed class TransformAction : WorkflowAction
{
    public override string Type => "Transform";

    public override string Category => "Data";

    public override string Description => "Sets, computes, renames and removes fields.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("set", SettingKind.FieldMap, "Set", Help: "Field → expression, e.g. \"tempF\": \"temp * 9 / 5 + 32\", \"site\": \"'north'\".")
        {
            Fields = SettingDescriptor.MapOf("Field", SettingKind.Expression, "Expression"),
        },
        new("rename", SettingKind.FieldMap, "Rename", Help: "Old name → new name.") { Fields = SettingDescriptor.MapOf("Old name", SettingKind.Text, "New name") },
        new("remove", SettingKind.List, "Remove", Help: "Field names."),
    ];

    public override string Summarize(JsonObject settings)
    {
        var parts = new List<string>();
        if (settings["set"] is JsonObject set) parts.AddRange(set.Select(p => $"{p.Key} = {p.Value}"));
        if (settings["rename"] is JsonObject rename) parts.AddRange(rename.Select(p => $"{p.Key} → {p.Value}"));
        if (settings["remove"] is JsonArray remove) parts.AddRange(remove.Select(r => $"−{r}"));
        var text = string.Join(", ", parts);
        return text.Length <= 60 ? text : text[..59] + "…";
    }

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var set = new List<(string Field, CompiledExpression Value)>();
        foreach (var (field, value) in Map(node, "set"))
        {
            var (expression, error) = node.Languages.Expressions.Compile(value);
            if (expression is null) node.Problem($"set.{field}", error!);
            else set.Add((field, expression));
        }

        var rename = Map(node, "rename").ToList();
        var remove = new List<string>();
        foreach (var item in node.Array("remove") ?? [])
        {
            if (item is JsonValue v && v.TryGetValue<string>(out var name) && !string.IsNullOrWhiteSpace(name)) remove.Add(name);
            else node.Problem("remove", "A list of field names.");
        }

        if (set.Count + rename.Count + remove.Count == 0 && node.Problems.Count == 0) node.Problem("set", "Nothing to do: set, rename or remove a field.");
        return node.Problems.Count > 0 ? null : new Runner([.. set], [.. rename], [.. remove]);
    }

    private static IEnumerable<(string Key, string Value)> Map(NodeCompilation node, string name)
    {
        switch (node.Settings[name])
        {
            case null:
                yield break;
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(key)) yield return (key, text);
                    else if (value is JsonValue number && name == "set" && number.TryGetValue<double>(out var n)) yield return (key, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    else node.Problem($"{name}.{key}", "A text is expected.");
                }

                break;
            default:
                node.Problem(name, "An object of field names is expected.");
                break;
        }
    }

    private sealed class Runner((string Field, CompiledExpression Value)[] set, (string From, string To)[] rename, string[] remove) : NodeRunner
    {
        public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            var fields = input.EditFields(set.Length);
            foreach (var (field, value) in set) fields[field] = value.Evaluate(input);
            foreach (var (from, to) in rename)
            {
                // In its place: a dictionary puts the new name where the old one was freed, a list renames it there.
                if (fields is FieldList list) list.Rename(from, to);
                else if (fields.TryGetValue(from, out var moved) && fields.Remove(from)) fields[to] = moved;
            }

            foreach (var field in remove) fields.Remove(field);
            return new(NodeResult.Out(input.WithFields((IReadOnlyDictionary<string, object?>)fields)));
        }
    }
}
