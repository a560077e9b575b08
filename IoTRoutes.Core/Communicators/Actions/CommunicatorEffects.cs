using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Communicators.Actions;

/// <summary>What the communicator actions share: the workflow's communicator, loaded within its part of the entity tree.</summary>
internal static class CommunicatorEffects
{
    public const string ErrorMember = "error";

    /// <summary>The enabled communicator <paramref name="id"/> of the workflow's entity or an ancestor's, with its secrets.</summary>
    public static async Task<CommunicatorConnection> LoadAsync(IServiceProvider services, Guid workflowId, Guid id, CommunicatorKind kind, CancellationToken ct)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
        var path = await db.Workflows.IgnoreQueryFilters().Where(w => w.Id == workflowId).Select(w => w.Entity!.Path).SingleOrDefaultAsync(ct)
                   ?? throw new CommunicatorException(ConnectionFailure.Other, "The workflow no longer exists.");
        return await services.GetRequiredService<CommunicatorUsage>().LoadAsync(id, path, kind, ct);
    }

    /// <summary>Reads a communicator id setting: required, a GUID.</summary>
    public static Guid? Id(Workflows.Engine.NodeCompilation node)
    {
        var text = node.Text("communicator", required: true)?.Trim();
        if (text is null) return null;
        if (Guid.TryParse(text, out var id)) return id;
        node.Problem("communicator", "Give the communicator's id (shown on the Communicators page and by GET /api/v1/communicators).");
        return null;
    }
}
