using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IoTRoutes.Core.Workflows;

public static class WorkflowsServiceCollectionExtensions
{
    /// <summary>The workflow engine, its triggers and actions (each registered as an <see cref="IWorkflowAction"/>).</summary>
    public static IServiceCollection AddWorkflows(this IServiceCollection services)
    {
        services.AddAction<OnMessageTrigger>();
        services.AddAction<OnDeviceConnectedTrigger>();
        services.AddAction<OnDeviceDisconnectedTrigger>();
        services.AddAction<JoinAction>();
        services.AddAction<RaiseAlertAction>();
        services.AddAction<ClearAlertAction>();
        services.AddAlerts();
        services.TryAddSingleton<ActionCatalog>();
        services.TryAddSingleton(sp => new WorkflowLanguages(sp.GetRequiredService<IWorkflowExpressions>(), sp.GetRequiredService<IWorkflowTemplates>()));
        services.TryAddSingleton(sp => new WorkflowCompiler(sp.GetRequiredService<ActionCatalog>(), sp.GetRequiredService<WorkflowLanguages>(), sp));
        return services;
    }

    /// <summary>Adds an action to the catalog: later modules (jobs, communicators) plug theirs in the same way.</summary>
    public static IServiceCollection AddAction<T>(this IServiceCollection services) where T : class, IWorkflowAction
    {
        services.AddSingleton<IWorkflowAction, T>();
        return services;
    }
}
