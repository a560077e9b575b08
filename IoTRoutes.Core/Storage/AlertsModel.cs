using IoTRoutes.Core.Workflows.Alerts;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Storage;

/// <summary>The alerts' table: scoped through their device, and at most one open alert per device and type.</summary>
internal static class AlertsModel
{
    public static void Configure(ModelBuilder modelBuilder, AppDbContext context)
    {
        modelBuilder.Entity<Alert>(a =>
        {
            a.Property(x => x.Type).HasMaxLength(AlertRules.MaxTypeLength);
            a.Property(x => x.Message).HasMaxLength(AlertRules.MaxMessageLength);
            a.Property(x => x.LastValue).HasMaxLength(AlertRules.MaxValueLength);
            a.Property(x => x.AcknowledgedBy).HasMaxLength(256);
            a.Property(x => x.ClearedBy).HasMaxLength(256);
            a.Property(x => x.NodeId).HasMaxLength(AlertRules.MaxNodeIdLength);
            a.HasOne(x => x.Device).WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade);
            // Scoped by the device's current entity: a moved device takes its alerts along.
            a.HasQueryFilter(x => x.Device!.Entity!.Path.StartsWith(context.ScopePath));
            // The de-duplication rule, kept by the database so that concurrent raises cannot open two (AlertRaiser retries).
            var state = context.Database.IsSqlServer() ? "[State]" : "\"State\"";
            a.HasIndex(x => new { x.DeviceId, x.Type }, "IX_Alerts_Open").IsUnique().HasFilter($"{state} <> {(int)AlertState.Cleared}");
            a.HasIndex(x => new { x.DeviceId, x.LastRaisedAt });
            a.HasIndex(x => x.LastRaisedAt);
        });
    }
}
