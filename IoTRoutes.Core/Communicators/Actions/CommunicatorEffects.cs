using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Communicators.Actions;

/// <summary>What the communicator actions share: the workflow's communicator, loaded within its part of the entity tree.</summary>
internal static class CommunicatorEffects
{
    public const string ErrorMember = "error";

    /// <summary>The enabled communicator <paramref name="id"/> of the workflow's entity or an ancestor's, with its secrets.</summary>
    public static Task<CommunicatorConnection> LoadAsync(IServiceProvider services, Guid workflowId, Guid id, CommunicatorKind kind, CancellationToken ct) =>
        LoadAsync(services, workflowId, id, [kind], ct);

    public static async Task<CommunicatorConnection> LoadAsync(
        IServiceProvider services, Guid workflowId, Guid id, IReadOnlyCollection<CommunicatorKind> kinds, CancellationToken ct)
    {
        var path = await WorkflowPathAsync(services, workflowId, ct);
        return await services.GetRequiredService<CommunicatorUsage>().LoadAsync(id, path, kinds, ct);
    }

    /// <summary>The path of the workflow's entity; a <see cref="CommunicatorException"/> when the workflow is gone.</summary>
    public static async Task<string> WorkflowPathAsync(IServiceProvider services, Guid workflowId, CancellationToken ct)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
        return await db.Workflows.IgnoreQueryFilters().Where(w => w.Id == workflowId).Select(w => w.Entity!.Path).SingleOrDefaultAsync(ct)
               ?? throw new CommunicatorException(ConnectionFailure.Other, "The workflow no longer exists.");
    }

    /// <summary>The "communicator" setting of an action, picked by name in the designer among those of this kind.</summary>
    public static SettingDescriptor Setting(SettingReference kind, string label) =>
        new("communicator", SettingKind.Text, label, Required: true,
            Help: $"An enabled {kind.Noun()} of this workflow's entity or of an entity above it (Communicators page).") { Refers = kind };

    /// <summary>Reads a communicator id setting: required, a GUID.</summary>
    public static Guid? Id(NodeCompilation node)
    {
        var text = node.Text("communicator", required: true)?.Trim();
        if (text is null) return null;
        if (Guid.TryParse(text, out var id)) return id;
        node.Problem("communicator", "Pick the communicator by name (or give its id, as GET /api/v1/communicators lists it).");
        return null;
    }
}
