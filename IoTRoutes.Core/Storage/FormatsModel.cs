using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Profiles;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Storage;

/// <summary>The tables of message formats, device profiles and latest field values.</summary>
internal static class FormatsModel
{
    public static void Configure(ModelBuilder modelBuilder, AppDbContext context)
    {
        modelBuilder.Entity<MessageFormat>(f =>
        {
            f.ToTable("Formats");
            f.Property(x => x.Name).HasMaxLength(FormatRules.MaxNameLength);
            f.HasIndex(x => new { x.EntityId, x.Name }).IsUnique();
            f.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            f.Property(x => x.ExchangeType).HasConversion<string>().HasMaxLength(16);
            f.Property(x => x.TopicPattern).HasMaxLength(1024);
            f.Property(x => x.Discriminator).HasMaxLength(1024);
            f.HasOne(x => x.Entity).WithMany().HasForeignKey(x => x.EntityId).OnDelete(DeleteBehavior.Restrict);
            f.HasQueryFilter(x => x.Entity!.Path.StartsWith(context.ScopePath));
        });
        modelBuilder.Entity<MessageFormatVersion>(v =>
        {
            v.ToTable("FormatVersions");
            v.HasKey(x => new { x.FormatId, x.Version });
            v.Property(x => x.CreatedBy).HasMaxLength(256);
            v.HasOne<MessageFormat>().WithMany().HasForeignKey(x => x.FormatId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<DeviceProfile>(p =>
        {
            p.ToTable("Profiles");
            p.Property(x => x.Name).HasMaxLength(FormatRules.MaxNameLength);
            p.HasIndex(x => new { x.EntityId, x.Name }).IsUnique();
            p.HasOne(x => x.Entity).WithMany().HasForeignKey(x => x.EntityId).OnDelete(DeleteBehavior.Restrict);
            p.HasMany(x => x.Formats).WithOne().HasForeignKey(x => x.ProfileId).OnDelete(DeleteBehavior.Cascade);
            p.HasQueryFilter(x => x.Entity!.Path.StartsWith(context.ScopePath));
        });
        modelBuilder.Entity<DeviceProfileFormat>(pf =>
        {
            pf.ToTable("ProfileFormats");
            pf.HasKey(x => new { x.ProfileId, x.FormatId });
            pf.HasOne<MessageFormat>().WithMany().HasForeignKey(x => x.FormatId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<DeviceFieldValue>(v =>
        {
            v.ToTable("FieldValues");
            v.HasKey(x => new { x.DeviceId, x.Name });
            v.Property(x => x.Name).HasMaxLength(256);
            v.Property(x => x.Unit).HasMaxLength(32);
            v.HasQueryFilter(x => context.Devices.Any(d => d.Id == x.DeviceId)); // no foreign key, like messages
        });
    }
}
