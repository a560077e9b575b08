using IoTRoutes.Core.Workflows.State;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Storage;

/// <summary>The tables of workflow node state.</summary>
internal static class WorkflowStateModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WorkflowNodeState>(s =>
        {
            s.ToTable("WorkflowNodeStates");
            s.HasKey(x => new { x.WorkflowId, x.NodeId, x.DeviceId, x.Key });
            s.Property(x => x.NodeId).HasMaxLength(64);
            s.Property(x => x.Key).HasMaxLength(64);
        });
    }
}
