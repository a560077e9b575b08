using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Integration.Workflows;

/// <summary>The app on SQLite with one test action, <c>Notify</c>, whose effect counts in <see cref="NotifyLog"/> when it really happens.</summary>
public sealed class WorkflowsApp() : IoTRoutesApp(TestDatabase.Sqlite())
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<NotifyLog>();
            services.AddAction<NotifyAction>();
        });
    }
}

public sealed class NotifyLog
{
    private int _performed;

    public int Performed => Volatile.Read(ref _performed);

    public void Add() => Interlocked.Increment(ref _performed);
}

/// <summary>Has one effect, <c>Notify</c> with its <c>to</c> setting; passes its input on.</summary>
internal sealed class NotifyAction : WorkflowAction
{
    public override string Type => "Notify";
    public override string Category => "Test";
    public override string Description => "Notifies someone (test only).";
    public override IReadOnlyList<SettingDescriptor> Settings { get; } = [new("to", SettingKind.Text, "To", Required: true)];

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var to = node.Text("to", required: true);
        return node.Problems.Count > 0 ? null : new Runner(to!);
    }

    private sealed class Runner(string to) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            await call.Run.Effects.PerformAsync(new Notification(to), call.NodeId, call.Run.Cancellation);
            return NodeResult.Out(input);
        }
    }

    private sealed class Notification(string to) : IWorkflowEffect
    {
        public string Kind => "Notify";

        public JsonObject Describe() => new() { ["to"] = to };

        public ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct)
        {
            services.GetRequiredService<NotifyLog>().Add();
            return ValueTask.FromResult<JsonNode?>(null);
        }
    }
}

