using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.Notifications;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Storage;

internal static class CommunicatorsModel
{
    public static void Configure(ModelBuilder modelBuilder, AppDbContext context)
    {
        modelBuilder.Entity<Communicator>(c =>
        {
            c.ToTable("Communicators");
            c.Property(x => x.Name).HasMaxLength(CommunicatorService.MaxNameLength);
            c.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            c.Property(x => x.SecretNames).HasMaxLength(1000);
            c.Property(x => x.LastError).HasMaxLength(1000);
            c.HasOne(x => x.Entity).WithMany().HasForeignKey(x => x.EntityId).OnDelete(DeleteBehavior.Restrict);
            c.HasQueryFilter(x => x.Entity!.Path.StartsWith(context.ScopePath));
            c.HasIndex(x => new { x.EntityId, x.Name }).IsUnique();
        });
        modelBuilder.Entity<NotificationRule>(r =>
        {
            r.ToTable("NotificationRules");
            r.Property(x => x.Name).HasMaxLength(NotificationRuleService.MaxNameLength);
            r.Property(x => x.Events).HasMaxLength(100);
            r.Property(x => x.AlertTypes).HasMaxLength(2000);
            r.Property(x => x.DeviceIds).HasMaxLength(8000);
            r.Property(x => x.MinSeverity).HasConversion<string>().HasMaxLength(16);
            r.Property(x => x.Recipients).HasMaxLength(NotificationRuleService.MaxTemplateLength);
            r.HasOne(x => x.Entity).WithMany().HasForeignKey(x => x.EntityId).OnDelete(DeleteBehavior.Restrict);
            r.HasOne(x => x.Communicator).WithMany().HasForeignKey(x => x.CommunicatorId).OnDelete(DeleteBehavior.Restrict);
            r.HasQueryFilter(x => x.Entity!.Path.StartsWith(context.ScopePath));
        });
        modelBuilder.Entity<NotificationRecord>(n =>
        {
            n.ToTable("Notifications");
            n.Property(x => x.RuleName).HasMaxLength(NotificationRuleService.MaxNameLength);
            n.Property(x => x.Event).HasConversion<string>().HasMaxLength(16);
            n.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            n.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            n.Property(x => x.Recipients).HasMaxLength(NotificationRuleService.MaxTemplateLength);
            n.Property(x => x.Error).HasMaxLength(1000);
            n.HasIndex(x => x.AlertId);
            n.HasIndex(x => new { x.Status, x.NextAttemptAt });
        });
        modelBuilder.Entity<DataProtectionKeyRow>(k =>
        {
            k.ToTable("DataProtectionKeys");
            k.Property(x => x.FriendlyName).HasMaxLength(200);
        });
    }
}
