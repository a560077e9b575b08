using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Security;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Storage;

/// <summary>
/// The model, shared by every provider. Each provider has a derived context that owns its migrations
/// (<see cref="SqliteAppDbContext"/>, <see cref="PostgreSqlAppDbContext"/>, <see cref="SqlServerAppDbContext"/>).
/// </summary>
public abstract class AppDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>
    /// Entity-tree prefix that every owned row must fall under (see <see cref="Entities.ScopedContexts"/>).
    /// "/" (the default) is the whole tree, for the platform's own background work.
    /// </summary>
    public string ScopePath { get; set; } = "/";

    public DbSet<Entity> Entities => Set<Entity>();
    public DbSet<User> Users => Set<User>();
    public DbSet<Role> Roles => Set<Role>();
    public DbSet<Security.Audit.AuditEntry> AuditEntries => Set<Security.Audit.AuditEntry>();
    public DbSet<UserRole> UserRoles => Set<UserRole>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<MessageCount> MessageCounts => Set<MessageCount>();
    public DbSet<Messaging.Brokers.BrokerDefinition> Brokers => Set<Messaging.Brokers.BrokerDefinition>();
    public DbSet<Messaging.Commands.DeviceCommand> Commands => Set<Messaging.Commands.DeviceCommand>();
    public DbSet<DeviceConnectionEvent> ConnectionEvents => Set<DeviceConnectionEvent>();
    public DbSet<Devices.Certificates.DeviceCertificate> DeviceCertificates => Set<Devices.Certificates.DeviceCertificate>();
    public DbSet<Messaging.Formats.MessageFormat> Formats => Set<Messaging.Formats.MessageFormat>();
    public DbSet<Messaging.Formats.MessageFormatVersion> FormatVersions => Set<Messaging.Formats.MessageFormatVersion>();
    public DbSet<Messaging.Profiles.DeviceProfile> Profiles => Set<Messaging.Profiles.DeviceProfile>();
    public DbSet<Messaging.Profiles.DeviceProfileFormat> ProfileFormats => Set<Messaging.Profiles.DeviceProfileFormat>();
    public DbSet<Messaging.Formats.DeviceFieldValue> FieldValues => Set<Messaging.Formats.DeviceFieldValue>();
    public DbSet<Workflows.Definitions.Workflow> Workflows => Set<Workflows.Definitions.Workflow>();
    public DbSet<Workflows.Definitions.WorkflowVersion> WorkflowVersions => Set<Workflows.Definitions.WorkflowVersion>();
    public DbSet<Workflows.Definitions.WorkflowDraftRevision> WorkflowDrafts => Set<Workflows.Definitions.WorkflowDraftRevision>();
    public DbSet<Workflows.Definitions.WorkflowActivation> WorkflowActivations => Set<Workflows.Definitions.WorkflowActivation>();
    public DbSet<Workflows.State.WorkflowNodeState> WorkflowNodeStates => Set<Workflows.State.WorkflowNodeState>();
    public DbSet<Workflows.Runner.WorkflowPosition> WorkflowPositions => Set<Workflows.Runner.WorkflowPosition>();
    public DbSet<Workflows.Runner.WorkflowLease> WorkflowLeases => Set<Workflows.Runner.WorkflowLease>();
    public DbSet<Workflows.Runner.WorkflowRunnerNode> WorkflowRunnerNodes => Set<Workflows.Runner.WorkflowRunnerNode>();
    public DbSet<Workflows.Runner.WorkflowRunRecord> WorkflowRuns => Set<Workflows.Runner.WorkflowRunRecord>();
    public DbSet<Jobs.JobSchedule> JobSchedules => Set<Jobs.JobSchedule>();
    public DbSet<Workflows.Alerts.Alert> Alerts => Set<Workflows.Alerts.Alert>();
    public DbSet<Devices.Attributes.DeviceAttribute> DeviceAttributes => Set<Devices.Attributes.DeviceAttribute>();
    public DbSet<Messaging.Telemetry.ComputedTelemetry> ComputedTelemetry => Set<Messaging.Telemetry.ComputedTelemetry>();
    public DbSet<Files.StoredFile> Files => Set<Files.StoredFile>();
    public DbSet<Communicators.Communicator> Communicators => Set<Communicators.Communicator>();
    public DbSet<Communicators.DataProtectionKeyRow> DataProtectionKeys => Set<Communicators.DataProtectionKeyRow>();
    public DbSet<Communicators.Notifications.NotificationRule> NotificationRules => Set<Communicators.Notifications.NotificationRule>();
    public DbSet<Communicators.Notifications.NotificationRecord> Notifications => Set<Communicators.Notifications.NotificationRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Entity>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(EntityRules.MaxNameLength);
            e.Property(x => x.Path).HasMaxLength(2048);
            e.HasIndex(x => x.Path).IsUnique();
            e.HasOne<Entity>().WithMany().HasForeignKey(x => x.ParentId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(x => x.Path.StartsWith(ScopePath));
            e.HasData(new Entity
            {
                Id = RootEntity.Id, Name = RootEntity.Name, Type = EntityType.Platform, Path = RootEntity.Path,
                CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            });
        });
        modelBuilder.Entity<User>(u =>
        {
            u.HasOne(x => x.Entity).WithMany().HasForeignKey(x => x.EntityId).OnDelete(DeleteBehavior.Restrict);
            u.HasQueryFilter(x => x.Entity!.Path.StartsWith(ScopePath));
            u.Property(x => x.Email).HasMaxLength(256);
            u.Property(x => x.NormalizedEmail).HasMaxLength(256);
            u.HasIndex(x => x.NormalizedEmail).IsUnique();
            u.Property(x => x.PasswordHash).HasMaxLength(512);
        });
        modelBuilder.Entity<Security.Audit.AuditEntry>(a =>
        {
            a.Property(x => x.UserEmail).HasMaxLength(256);
            a.Property(x => x.Action).HasMaxLength(64);
            a.Property(x => x.Target).HasMaxLength(256);
            a.Property(x => x.Details).HasMaxLength(2000);
            a.Property(x => x.From).HasMaxLength(64);
            a.HasIndex(x => x.At);
            a.HasOne(x => x.Entity).WithMany().HasForeignKey(x => x.EntityId).OnDelete(DeleteBehavior.Restrict);
            a.HasQueryFilter(x => x.Entity!.Path.StartsWith(ScopePath));
        });
        modelBuilder.Entity<Role>(r =>
        {
            r.Property(x => x.Name).HasMaxLength(100);
            r.Property(x => x.Description).HasMaxLength(500);
            r.HasIndex(x => x.Name).IsUnique();
            r.HasMany(x => x.Grants).WithOne().HasForeignKey(x => x.RoleId).OnDelete(DeleteBehavior.Cascade);
            r.HasMany(x => x.Actions).WithOne().HasForeignKey(x => x.RoleId).OnDelete(DeleteBehavior.Cascade);
            r.HasData(BuiltInRoles.All());
        });
        modelBuilder.Entity<RoleGrant>(g =>
        {
            g.HasKey(x => new { x.RoleId, x.Object });
            g.Property(x => x.Object).HasConversion<string>().HasMaxLength(50);
            g.HasData(BuiltInRoles.Grants());
        });
        modelBuilder.Entity<RoleAction>(a =>
        {
            a.HasKey(x => new { x.RoleId, x.Action });
            a.Property(x => x.Action).HasMaxLength(100);
            a.HasData(BuiltInRoles.Actions());
        });
        modelBuilder.Entity<UserRole>(ur =>
        {
            ur.HasKey(x => new { x.UserId, x.RoleId });
            ur.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
            ur.HasOne<Role>().WithMany().HasForeignKey(x => x.RoleId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<RefreshToken>(t =>
        {
            t.Property(x => x.TokenHash).HasMaxLength(128);
            t.HasIndex(x => x.TokenHash).IsUnique();
            t.HasIndex(x => x.FamilyId);
            t.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Device>(d =>
        {
            d.Property(x => x.Name).HasMaxLength(DeviceRules.MaxNameLength);
            d.Property(x => x.Key).HasMaxLength(64);
            d.HasIndex(x => x.Key).IsUnique();
            d.Property(x => x.SecretHash).HasMaxLength(128);
            d.HasOne(x => x.Entity).WithMany().HasForeignKey(x => x.EntityId).OnDelete(DeleteBehavior.Restrict);
            d.HasQueryFilter(x => x.Entity!.Path.StartsWith(ScopePath));
            d.HasOne<Messaging.Profiles.DeviceProfile>().WithMany().HasForeignKey(x => x.ProfileId).OnDelete(DeleteBehavior.Restrict);
        });
        FormatsModel.Configure(modelBuilder, this);
        WorkflowsModel.Configure(modelBuilder, this);
        WorkflowStateModel.Configure(modelBuilder);
        AlertsModel.Configure(modelBuilder, this);
        DeviceDataModel.Configure(modelBuilder, this);
        FilesModel.Configure(modelBuilder, this);
        CommunicatorsModel.Configure(modelBuilder, this);
        modelBuilder.Entity<Message>(m =>
        {
            m.Property(x => x.Topic).HasMaxLength(1024);
            m.Property(x => x.RejectionReason).HasMaxLength(1024);
            m.Property(x => x.RejectionDetails).HasMaxLength(1024);
            m.Property(x => x.Warnings).HasMaxLength(1024);
            // No foreign key to Devices: the database checked it for every stored message (a third of PostgreSQL's work
            // per message, docs/benchmarks.md). A message of a deleted device matches no device below, so it is never
            // shown, and OrphanMessageSweeper deletes it.
            m.HasQueryFilter(x => Devices.Any(d => d.Id == x.DeviceId)); // the devices' own filter holds the scope
            m.HasIndex(x => new { x.DeviceId, x.ReceivedAt });
            m.HasIndex(x => x.ReceivedAt);
            // Only rows still waiting to be decoded (the acquisition worker's query): the intake writes every message in
            // its final state, so this index stays empty and costs the intake nothing per message.
            var state = Database.IsSqlServer() ? "[State]" : "\"State\"";
            m.HasIndex(x => x.State).HasFilter($"{state} = {(int)Messaging.Lifecycle.MessageState.Received}");
            // Only rejected rows, a small part of the traffic: the Rejected messages page lists, counts and reprocesses them
            // by id (time-ordered) without reading the processed ones.
            m.HasIndex(x => x.Id, "IX_Messages_Rejected").HasFilter($"{state} = {(int)Messaging.Lifecycle.MessageState.Rejected}");
        });
        modelBuilder.Entity<MessageCount>(c =>
        {
            // Kept by the triggers on Messages (migration MessageCounts) and the SQLite intake writer; no foreign key either,
            // for the same reason.
            c.HasKey(x => new { x.DeviceId, x.State });
            c.HasQueryFilter(x => Devices.Any(d => d.Id == x.DeviceId));
        });
        modelBuilder.Entity<Messaging.Brokers.BrokerDefinition>(b =>
        {
            b.ToTable("Brokers");
            b.Property(x => x.Name).HasMaxLength(Messaging.Brokers.BrokerRules.MaxNameLength);
            b.HasIndex(x => x.Name).IsUnique();
            b.Property(x => x.BindAddress).HasMaxLength(64);
            b.Property(x => x.Authentication).HasConversion<string>().HasMaxLength(32);
            b.Property(x => x.DeniedSubscriptions).HasMaxLength(4000);
            b.HasOne(x => x.Entity).WithMany().HasForeignKey(x => x.EntityId).OnDelete(DeleteBehavior.Restrict);
            b.HasQueryFilter(x => x.Entity!.Path.StartsWith(ScopePath));
        });
        modelBuilder.Entity<Messaging.Commands.DeviceCommand>(c =>
        {
            c.ToTable("Commands");
            c.Property(x => x.Name).HasMaxLength(Messaging.Commands.CommandRules.MaxNameLength);
            c.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            c.Property(x => x.CreatedBy).HasMaxLength(Messaging.Commands.CommandRules.MaxCreatedByLength);
            c.Property(x => x.EffectKey).HasMaxLength(Messaging.Commands.CommandRules.MaxEffectKeyLength);
            c.HasIndex(x => x.EffectKey).IsUnique(); // nullable: users' commands have none
            c.HasOne(x => x.Device).WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade);
            c.HasQueryFilter(x => x.Device!.Entity!.Path.StartsWith(ScopePath));
            c.HasIndex(x => new { x.DeviceId, x.CreatedAt });
            c.HasIndex(x => new { x.Status, x.ExpiresAt });
        });
        modelBuilder.Entity<DeviceConnectionEvent>(e =>
        {
            e.ToTable("ConnectionEvents");
            e.Property(x => x.ClientId).HasMaxLength(256);
            e.Property(x => x.RemoteAddress).HasMaxLength(64);
            e.Property(x => x.Protocol).HasMaxLength(16);
            e.Property(x => x.Reason).HasMaxLength(512);
            e.HasOne(x => x.Device).WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(x => x.Device!.Entity!.Path.StartsWith(ScopePath));
            e.HasIndex(x => new { x.DeviceId, x.At });
        });
        modelBuilder.Entity<Devices.Certificates.DeviceCertificate>(c =>
        {
            c.Property(x => x.Thumbprint).HasMaxLength(64);
            c.HasIndex(x => x.Thumbprint).IsUnique();
            c.Property(x => x.Subject).HasMaxLength(512);
            c.HasOne(x => x.Device).WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade);
            c.HasQueryFilter(x => x.Device!.Entity!.Path.StartsWith(ScopePath));
        });
    }
}
