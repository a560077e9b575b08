using IoTRoutes.Core.Workflows.State;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Storage;

/// <summary>The tables the workflow runner writes: node state, positions, partition leases and nodes, run records.</summary>
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
        modelBuilder.Entity<Workflows.Runner.WorkflowPosition>(p =>
        {
            p.ToTable("WorkflowPositions");
            p.HasKey(x => new { x.WorkflowId, x.Partition });
        });
        modelBuilder.Entity<Workflows.Runner.WorkflowLease>(l =>
        {
            l.ToTable("WorkflowLeases");
            l.HasKey(x => x.Partition);
            l.Property(x => x.Partition).ValueGeneratedNever();
            l.Property(x => x.Owner).HasMaxLength(200);
        });
        modelBuilder.Entity<Workflows.Runner.WorkflowRunnerNode>(n =>
        {
            n.ToTable("WorkflowRunnerNodes");
            n.HasKey(x => x.Owner);
            n.Property(x => x.Owner).HasMaxLength(200);
        });
        modelBuilder.Entity<Workflows.Runner.WorkflowRunRecord>(r =>
        {
            r.ToTable("WorkflowRuns");
            r.Property(x => x.FailedNode).HasMaxLength(64);
            r.Property(x => x.Error).HasMaxLength(2048);
            r.HasIndex(x => new { x.WorkflowId, x.StartedAt });
            r.HasIndex(x => x.MessageId);
            r.Property(x => x.Trigger).HasMaxLength(64);
            r.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            r.Property(x => x.RequestedBy).HasMaxLength(256);
            r.Property(x => x.Owner).HasMaxLength(200);
            r.HasIndex(x => new { x.Status, x.NotBefore }); // the queue
        });
        modelBuilder.Entity<Jobs.JobSchedule>(j =>
        {
            j.ToTable("JobSchedules");
            j.HasKey(x => x.WorkflowId);
        });
    }
}
