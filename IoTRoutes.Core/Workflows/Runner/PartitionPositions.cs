using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>A workflow's positions, one per partition, made together the first time it runs.</summary>
internal static class PartitionPositions
{
    /// <summary>
    /// The positions (tracked), by partition; null when another node made them at the same moment (try again). A new
    /// workflow starts every partition at its first publication: what was stored before is not its business. Positions
    /// written before there were partitions (one row) give the missing partitions their place.
    /// </summary>
    public static async Task<Dictionary<int, WorkflowPosition>?> LoadAsync(AppDbContext db, Guid workflowId, DateTimeOffset now, CancellationToken ct)
    {
        var positions = await db.WorkflowPositions.Where(p => p.WorkflowId == workflowId).ToDictionaryAsync(p => p.Partition, ct);
        if (positions.Count >= WorkflowPartitions.Count) return positions;

        var start = positions.Count > 0
            ? positions.Values.Min(p => p.LastMessageId)
            : MessageIds.Floor(await db.WorkflowVersions.Where(v => v.WorkflowId == workflowId).MinAsync(v => v.PublishedAt, ct));
        for (var partition = 0; partition < WorkflowPartitions.Count; partition++)
        {
            if (positions.ContainsKey(partition)) continue;
            var position = new WorkflowPosition { WorkflowId = workflowId, Partition = partition, LastMessageId = start, UpdatedAt = now };
            db.WorkflowPositions.Add(position);
            positions[partition] = position;
        }

        try
        {
            await db.SaveChangesAsync(ct);
            return positions;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return null;
        }
    }
}
