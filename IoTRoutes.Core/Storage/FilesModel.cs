using IoTRoutes.Core.Files;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Storage;

/// <summary>The files' records (their bytes are in the <see cref="IFileStore"/>): scoped by their entity, like devices.</summary>
internal static class FilesModel
{
    public static void Configure(ModelBuilder modelBuilder, AppDbContext context)
    {
        modelBuilder.Entity<StoredFile>(f =>
        {
            f.ToTable("Files");
            f.Property(x => x.Name).HasMaxLength(FileRules.MaxNameLength);
            f.Property(x => x.ContentType).HasMaxLength(FileRules.MaxContentTypeLength);
            f.Property(x => x.Sha256).HasMaxLength(64);
            f.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            f.Property(x => x.CreatedBy).HasMaxLength(FileRules.MaxCreatedByLength);
            f.Property(x => x.EffectKey).HasMaxLength(FileRules.MaxEffectKeyLength);
            f.HasOne(x => x.Entity).WithMany().HasForeignKey(x => x.EntityId).OnDelete(DeleteBehavior.Restrict);
            f.HasQueryFilter(x => x.Entity!.Path.StartsWith(context.ScopePath));
            // A device's media stay when the device goes: they are the entity's files.
            f.HasOne(x => x.Device).WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.SetNull);
            f.HasIndex(x => new { x.EntityId, x.Kind });
            f.HasIndex(x => x.EffectKey).IsUnique(); // nullable: uploads have none
        });
    }
}
