using IoTRoutes.Core.Devices.Attributes;
using IoTRoutes.Core.Messaging.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Storage;

/// <summary>What is kept with a device besides its messages: attributes and computed telemetry, both scoped through the device.</summary>
internal static class DeviceDataModel
{
    public static void Configure(ModelBuilder modelBuilder, AppDbContext context)
    {
        modelBuilder.Entity<DeviceAttribute>(a =>
        {
            a.ToTable("DeviceAttributes");
            a.HasKey(x => new { x.DeviceId, x.Key });
            a.Property(x => x.Key).HasMaxLength(AttributeRules.MaxKeyLength);
            a.Property(x => x.Value).HasMaxLength(AttributeRules.MaxJsonLength);
            a.Property(x => x.UpdatedBy).HasMaxLength(AttributeRules.MaxUpdatedByLength);
            a.HasOne(x => x.Device).WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade);
            a.HasQueryFilter(x => x.Device!.Entity!.Path.StartsWith(context.ScopePath));
        });
        modelBuilder.Entity<ComputedTelemetry>(c =>
        {
            c.ToTable("ComputedTelemetry");
            // A foreign key, unlike messages: these are written by workflow runs, not by the intake on every publish.
            c.HasOne(x => x.Device).WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade);
            c.HasQueryFilter(x => x.Device!.Entity!.Path.StartsWith(context.ScopePath));
            c.HasIndex(x => new { x.DeviceId, x.At });
            c.Property(x => x.NodeId).HasMaxLength(ComputedTelemetryRules.MaxNodeIdLength);
            c.Property(x => x.EffectKey).HasMaxLength(ComputedTelemetryRules.MaxEffectKeyLength);
            // Nullable and unique: a run repeated after a crash finds its point instead of storing it again. Every provider
            // lets several rows have no key (SQL Server through the filter EF adds to a unique index on a nullable column).
            c.HasIndex(x => x.EffectKey).IsUnique();
        });
    }
}
