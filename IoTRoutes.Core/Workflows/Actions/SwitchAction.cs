using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>
/// One output port per case (its name) and <c>default</c>: the item leaves by the first case whose condition holds, or by
/// every one that holds when <c>all</c> is set; by <c>default</c> when none does.
/// </summary>
public sealed class SwitchAction : WorkflowAction
{
    public const string Default = "default";

    public override string Type => "Switch";

    public override string Category => "Flow";

    public override string Description => "Routes each item by the first (or every) case that holds.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("cases", SettingKind.List, "Cases", Required: true, Help: "Each case: a name (its port) and a condition, e.g. {\"name\":\"hot\",\"condition\":\"temp > 30\"}.")
        {
            Fields =
            [
                new("name", SettingKind.Text, "Name", Required: true, Help: "Its output port."),
                new("condition", SettingKind.Expression, "Condition", Required: true),
            ],
        },
        new("all", SettingKind.Boolean, "Every matching case", Help: "Send to every case that holds, not only the first.") { Default = false },
    ];

    public override IReadOnlyList<string> OutputPorts(JsonObject settings) =>
        [.. (settings["cases"] as JsonArray ?? []).Select(c => (c as JsonObject)?["name"] is JsonValue v && v.TryGetValue<string>(out var name) ? name.Trim() : null).OfType<string>(), Default];

    public override string Summarize(JsonObject settings) => string.Join(" | ", OutputPorts(settings).SkipLast(1));

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var cases = new List<(string Name, CompiledExpression Condition)>();
        var list = node.Array("cases", required: true);
        for (var i = 0; i < (list?.Count ?? 0); i++)
        {
            var place = $"cases[{i}]";
            if (list![i] is not JsonObject entry || entry["name"] is not JsonValue n || !n.TryGetValue<string>(out var name) || string.IsNullOrWhiteSpace(name))
            {
                node.Problem(place, "A case has a name (its port) and a condition.");
                continue;
            }

            name = name.Trim(); // as a link's port is read

            if (name is Default or WorkflowPorts.Error || cases.Any(c => c.Name == name))
            {
                node.Problem(place, $"The case name {name} is taken: names are unique and not default or error.");
                continue;
            }

            var text = entry["condition"] is JsonValue c && c.TryGetValue<string>(out var t) ? t : null;
            var (condition, error) = text is null ? (null, "A condition is needed.") : node.Languages.Expressions.Compile(text);
            if (condition is null) node.Problem($"{place}.condition", error!);
            else cases.Add((name, condition));
        }

        if (list is { Count: 0 }) node.Problem("cases", "At least one case.");
        var all = node.Boolean("all");
        return node.Problems.Count > 0 ? null : new Runner([.. cases], all);
    }

    private sealed class Runner((string Name, CompiledExpression Condition)[] cases, bool all) : NodeRunner
    {
        public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            List<(string, WorkflowItem)>? matched = null;
            foreach (var (name, condition) in cases)
            {
                if (!condition.IsTrue(input)) continue;
                if (!all) return new(NodeResult.To(name, input));
                (matched ??= []).Add((name, input));
            }

            return new(matched is null ? NodeResult.To(Default, input) : NodeResult.Many(matched));
        }
    }
}
