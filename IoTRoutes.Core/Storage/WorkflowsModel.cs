using IoTRoutes.Core.Workflows.Definitions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Storage;

/// <summary>The tables of workflows: definitions with their drafts, published versions, their activations and recent draft revisions.</summary>
internal static class WorkflowsModel
{
    public static void Configure(ModelBuilder modelBuilder, AppDbContext context)
    {
        modelBuilder.Entity<Workflow>(w =>
        {
            w.ToTable("Workflows");
            w.Property(x => x.Name).HasMaxLength(WorkflowRules.MaxNameLength);
            w.Property(x => x.Description).HasMaxLength(WorkflowRules.MaxDescriptionLength);
            w.HasIndex(x => new { x.EntityId, x.Name }).IsUnique();
            w.Property(x => x.Revision).IsConcurrencyToken(); // two saves from the same revision: the second is stale
            w.Property(x => x.CreatedBy).HasMaxLength(256);
            w.Property(x => x.UpdatedBy).HasMaxLength(256);
            w.HasOne(x => x.Entity).WithMany().HasForeignKey(x => x.EntityId).OnDelete(DeleteBehavior.Restrict);
            w.HasQueryFilter(x => x.Entity!.Path.StartsWith(context.ScopePath));
        });
        modelBuilder.Entity<WorkflowVersion>(v =>
        {
            v.ToTable("WorkflowVersions");
            v.HasKey(x => new { x.WorkflowId, x.Version });
            v.Property(x => x.PublishedBy).HasMaxLength(256);
            v.Property(x => x.Note).HasMaxLength(WorkflowRules.MaxNoteLength);
            v.HasOne<Workflow>().WithMany().HasForeignKey(x => x.WorkflowId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<WorkflowActivation>(a =>
        {
            a.ToTable("WorkflowActivations");
            a.HasKey(x => new { x.WorkflowId, x.ActivatedAt });
            a.HasOne<Workflow>().WithMany().HasForeignKey(x => x.WorkflowId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<WorkflowDraftRevision>(d =>
        {
            d.ToTable("WorkflowDrafts");
            d.HasKey(x => new { x.WorkflowId, x.Revision });
            d.Property(x => x.SavedBy).HasMaxLength(256);
            d.HasOne<Workflow>().WithMany().HasForeignKey(x => x.WorkflowId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
