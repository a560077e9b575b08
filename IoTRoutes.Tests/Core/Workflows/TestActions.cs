using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Triggers;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>Small actions that make the engine's semantics visible, independent of the real actions' languages.</summary>
internal static class TestActions
{
    public static ActionCatalog Catalog(Collector collector, params IWorkflowAction[] more) => new(
    [
        new OnMessageTrigger(), new OnDeviceConnectedTrigger(), new JoinAction(), new SetAction(), new WhenAction(), new BoomAction(),
        new WaitAction(collector), new SplitAction(), new CollectAction(collector), .. more,
    ]);

    public static readonly WorkflowLanguages NoLanguages = new(new NoExpressions(), new NoTemplates());

    /// <summary>What reached each Collect node, in order of arrival.</summary>
    public sealed class Collector
    {
        public ConcurrentQueue<(string Node, WorkflowItem Item)> Items { get; } = new();

        public IReadOnlyList<WorkflowItem> At(string node) => [.. Items.Where(i => i.Node == node).Select(i => i.Item)];
    }

    /// <summary>Sets a field to a number: {"name","value"}.</summary>
    private sealed class SetAction : WorkflowAction
    {
        public override string Type => "Set";
        public override string Category => "Test";
        public override string Description => "Sets a field.";
        public override IReadOnlyList<SettingDescriptor> Settings { get; } = [];

        public override NodeRunner? Compile(NodeCompilation node)
        {
            var name = node.Text("name", required: true);
            var value = node.Number("value", required: true);
            return node.Problems.Count > 0 ? null : new Runner(name!, value!.Value);
        }

        private sealed class Runner(string name, double value) : NodeRunner
        {
            public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
            {
                var fields = input.CopyFields();
                fields[name] = value;
                return new(NodeResult.Out(input.WithFields(fields)));
            }
        }
    }

    /// <summary>Ports true/false: whether a field is above a number.</summary>
    private sealed class WhenAction : WorkflowAction
    {
        public override string Type => "When";
        public override string Category => "Test";
        public override string Description => "Above or not.";
        public override IReadOnlyList<SettingDescriptor> Settings { get; } = [];
        public override IReadOnlyList<string> OutputPorts(JsonObject settings) => ["true", "false"];

        public override NodeRunner? Compile(NodeCompilation node)
        {
            var field = node.Text("field", required: true);
            var above = node.Number("above", required: true);
            return node.Problems.Count > 0 ? null : new Runner(field!, above!.Value);
        }

        private sealed class Runner(string field, double above) : NodeRunner
        {
            public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call) =>
                new(NodeResult.To(WorkflowValues.AsNumber(input.Field(field)) > above ? "true" : "false", input));
        }
    }

    private sealed class BoomAction : WorkflowAction
    {
        public override string Type => "Boom";
        public override string Category => "Test";
        public override string Description => "Throws.";
        public override IReadOnlyList<SettingDescriptor> Settings { get; } = [];
        public override NodeRunner? Compile(NodeCompilation node) => new Runner();

        private sealed class Runner : NodeRunner
        {
            public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call) => throw new InvalidOperationException("sensor table missing");
        }
    }

    /// <summary>Awaits {"ms"} milliseconds, then records its node id and passes the item on.</summary>
    private sealed class WaitAction(Collector collector) : WorkflowAction
    {
        public override string Type => "Wait";
        public override string Category => "Test";
        public override string Description => "Waits.";
        public override IReadOnlyList<SettingDescriptor> Settings { get; } = [];

        public override NodeRunner? Compile(NodeCompilation node) => new Runner(node.Node.Id, node.Integer("ms") ?? 0, collector);

        private sealed class Runner(string id, int ms, Collector collector) : NodeRunner
        {
            public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
            {
                await Task.Delay(ms, call.Run.Cancellation);
                collector.Items.Enqueue(("wait:" + id, input));
                return NodeResult.Out(input);
            }
        }
    }

    /// <summary>Sends {"copies"} copies of its input on out.</summary>
    private sealed class SplitAction : WorkflowAction
    {
        public override string Type => "Split";
        public override string Category => "Test";
        public override string Description => "Copies.";
        public override IReadOnlyList<SettingDescriptor> Settings { get; } = [];

        public override NodeRunner? Compile(NodeCompilation node) => new Runner(node.Integer("copies") ?? 2);

        private sealed class Runner(int copies) : NodeRunner
        {
            public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call) =>
                new(NodeResult.Many([.. Enumerable.Repeat(("out", input), copies)]));
        }
    }

    private sealed class CollectAction(Collector collector) : WorkflowAction
    {
        public override string Type => "Collect";
        public override string Category => "Test";
        public override string Description => "Records what arrives.";
        public override IReadOnlyList<SettingDescriptor> Settings { get; } = [];

        public override NodeRunner? Compile(NodeCompilation node) => new Runner(node.Node.Id, collector);

        private sealed class Runner(string id, Collector collector) : NodeRunner
        {
            public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
            {
                collector.Items.Enqueue((id, input));
                return new(NodeResult.Nothing);
            }
        }
    }

    private sealed class NoExpressions : IWorkflowExpressions
    {
        public (CompiledExpression? Expression, string? Error) Compile(string text) => (null, "No expressions in these tests.");
    }

    private sealed class NoTemplates : IWorkflowTemplates
    {
        public (CompiledTemplate? Template, string? Error) Compile(string text) => (null, "No templates in these tests.");
    }
}
