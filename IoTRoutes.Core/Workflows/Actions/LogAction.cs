using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>Writes a line (a Liquid template) to the application log, with the workflow and node; passes the item on.</summary>
public sealed class LogAction : WorkflowAction
{
    public override string Type => "Log";

    public override string Category => "Data";

    public override string Description => "Writes a line to the log.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("message", SettingKind.Template, "Message", Required: true, Help: "For example {{ device.name }}: {{ temp }} °C."),
        new("level", SettingKind.Choice, "Level") { Choices = ["Information", "Warning", "Error"], Default = "Information" },
    ];

    public override string Summarize(JsonObject settings) => Short(settings, "message");

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var message = node.Template("message");
        var level = node.Choice<LogLevel>("level") ?? LogLevel.Information;
        if (level is not (LogLevel.Information or LogLevel.Warning or LogLevel.Error)) node.Problem("level", "One of Information, Warning, Error.");
        var logger = node.Services.GetService<ILoggerFactory>()?.CreateLogger(LogCategory);
        return node.Problems.Count > 0 ? null : new Runner(message!, level, logger);
    }

    private const string LogCategory = "IoTRoutes.Workflows.Log";

    private sealed class Runner(CompiledTemplate message, LogLevel level, ILogger? logger) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            // A line the log would drop is not rendered (a dry run still shows it).
            if (!call.Run.DryRun && logger is not null && !logger.IsEnabled(level)) return NodeResult.Out(input);
            await call.Run.Effects.PerformAsync(new LogLine(call.Run.WorkflowId, call.NodeId, level, message.Render(input), logger), call.NodeId, call.Run.Cancellation);
            return NodeResult.Out(input);
        }
    }

    private sealed record LogLine(Guid WorkflowId, string NodeId, LogLevel Level, string Text, ILogger? Logger) : IWorkflowEffect
    {
        public string Kind => "Log";

        public string Summary => $"log ({Level}): {Text}";

        public JsonObject Describe() => new() { ["level"] = Level.ToString(), ["text"] = Text };

        public ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct)
        {
            var logger = Logger ?? services.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
            logger.Log(Level, "Workflow {WorkflowId} node {NodeId}: {Text}", WorkflowId, NodeId, Text);
            return ValueTask.FromResult<JsonNode?>(null);
        }
    }
}
