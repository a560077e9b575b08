using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Languages;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IoTRoutes.Core.Workflows;

public static class WorkflowsServiceCollectionExtensions
{
    /// <summary>The workflow engine, its triggers and actions (each registered as an <see cref="IWorkflowAction"/>), and the workflows' definitions.</summary>
    public static IServiceCollection AddWorkflows(this IServiceCollection services)
    {
        services.AddAction<OnMessageTrigger>();
        services.AddAction<OnDeviceConnectedTrigger>();
        services.AddAction<OnDeviceDisconnectedTrigger>();
        services.AddAction<ScheduleTrigger>();
        services.AddAction<ManualTrigger>();
        services.AddAction<OnAlertTrigger>();
        services.AddAction<Jobs.Reports.ReportAction>();
        services.AddAction<Jobs.SendCommandToManyAction>();
        services.AddAction<Jobs.Reports.QueryTelemetryAction>();
        services.AddAction<Jobs.InterpretMediaAction>();
        services.AddAction<JoinAction>();
        services.AddAction<FilterAction>();
        services.AddAction<SwitchAction>();
        services.AddAction<TransformAction>();
        services.AddAction<LogAction>();
        services.AddAction<DelayAction>();
        services.AddAction<ThresholdAction>();
        services.AddAction<AnomalyAction>();
        services.AddAction<RaiseAlertAction>();
        services.AddAction<ClearAlertAction>();
        services.AddAction<SetAttributeAction>();
        services.AddAction<SaveTelemetryAction>();
        services.AddAction<SendCommandAction>();
        services.AddAction<ScriptAction>();
        services.AddAlerts();
        services.TryAddSingleton<ActionCatalog>();
        services.TryAddSingleton<State.DurableNodeState>();
        services.TryAddSingleton<INodeStateStore>(sp => sp.GetRequiredService<State.DurableNodeState>());
        services.TryAddSingleton(sp => new Runner.PartitionLeases(sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Storage.AppDbContext>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<Devices.ConnectionEventIds>();
        services.AddSingleton<Runner.WorkflowRunner>();
        services.AddScoped<Runner.WorkflowRunHistory>();
        services.AddScoped<Runner.MessageTraces>();
        services.AddHostedService(sp => sp.GetRequiredService<Runner.WorkflowRunner>());
        services.TryAddSingleton<IWorkflowExpressions, NCalcExpressions>();
        services.TryAddSingleton<IWorkflowTemplates, LiquidTemplates>();
        services.TryAddSingleton(sp => new WorkflowLanguages(sp.GetRequiredService<IWorkflowExpressions>(), sp.GetRequiredService<IWorkflowTemplates>()));
        services.TryAddSingleton(sp => new WorkflowCompiler(sp.GetRequiredService<ActionCatalog>(), sp.GetRequiredService<WorkflowLanguages>(), sp));
        services.TryAddSingleton(sp => new Definitions.DraftProblems(sp.GetRequiredService<WorkflowCompiler>()));
        services.AddScoped<WorkflowService>();
        services.AddScoped<WorkflowReferences>();
        services.TryAddSingleton<WorkflowDryRun>();
        services.TryAddSingleton<WorkflowClipboard>();
        services.AddScoped<WorkflowTrial>();
        return services;
    }

    /// <summary>Adds an action to the catalog: later modules (jobs, communicators) plug theirs in the same way.</summary>
    public static IServiceCollection AddAction<T>(this IServiceCollection services) where T : class, IWorkflowAction
    {
        services.AddSingleton<IWorkflowAction, T>();
        return services;
    }
}
