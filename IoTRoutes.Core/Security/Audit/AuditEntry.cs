namespace IoTRoutes.Core.Security.Audit;

/// <summary>One audited event: who, when, from where, what.</summary>
public sealed class AuditEntry
{
    public Guid Id { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? UserId { get; set; }

    /// <summary>The actor as typed or known at the time (kept even if the user is renamed or the e-mail was unknown).</summary>
    public required string UserEmail { get; set; }

    /// <summary>Where the event belongs in the entity tree (the actor's entity); who may read it follows from this.</summary>
    public Guid EntityId { get; set; }
    public Entities.Entity? Entity { get; set; }

    /// <summary>Dotted name, e.g. <c>SignIn.Failed</c>, <c>Role.Updated</c> (see <see cref="AuditActions"/>).</summary>
    public required string Action { get; set; }

    public string? Target { get; set; }
    public string? Details { get; set; }

    /// <summary>Remote address of the request, when there was one.</summary>
    public string? From { get; set; }
}

public static class AuditActions
{
    public const string SignInSucceeded = "SignIn.Succeeded";
    public const string SignInFailed = "SignIn.Failed";
    /// <summary>Written by earlier versions, which locked accounts; kept so old entries still filter.</summary>
    public const string SignInLockedOut = "SignIn.LockedOut";
    public const string SignInThrottled = "SignIn.Throttled";
    public const string PasswordChanged = "Password.Changed";
    public const string UserCreated = "User.Created";
    public const string UserUpdated = "User.Updated";
    public const string UserPasswordReset = "User.PasswordReset";
    public const string RoleCreated = "Role.Created";
    public const string RoleUpdated = "Role.Updated";
    public const string RoleDeleted = "Role.Deleted";
    public const string DeviceCreated = "Device.Created";
    public const string DeviceUpdated = "Device.Updated";
    public const string DeviceDeleted = "Device.Deleted";
    public const string DeviceSecretRegenerated = "Device.SecretRegenerated";
    public const string DeviceCertificateIssued = "Device.CertificateIssued";
    public const string DeviceCertificateRegistered = "Device.CertificateRegistered";
    public const string DeviceCertificateRevoked = "Device.CertificateRevoked";
    public const string CommandSent = "Command.Sent";
    public const string EntityCreated = "Entity.Created";
    public const string EntityRenamed = "Entity.Renamed";
    public const string EntityMoved = "Entity.Moved";
    public const string EntityDeleted = "Entity.Deleted";
    public const string MessagesReprocessed = "Messages.Reprocessed";
    public const string MessagesExported = "Messages.Exported";
    public const string BrokerCreated = "Broker.Created";
    public const string BrokerUpdated = "Broker.Updated";
    public const string BrokerDeleted = "Broker.Deleted";
    public const string BrokerEnabled = "Broker.Enabled";
    public const string BrokerDisabled = "Broker.Disabled";
    public const string FormatCreated = "Format.Created";
    public const string FormatUpdated = "Format.Updated";
    public const string FormatDeleted = "Format.Deleted";
    public const string ProfileCreated = "Profile.Created";
    public const string ProfileUpdated = "Profile.Updated";
    public const string ProfileDeleted = "Profile.Deleted";
    public const string DeviceProfileAssigned = "Device.ProfileAssigned";
    public const string DeviceAttributeSet = "Device.AttributeSet";
    public const string DeviceAttributeDeleted = "Device.AttributeDeleted";
    public const string WorkflowCreated = "Workflow.Created";
    public const string WorkflowDraftSaved = "Workflow.DraftSaved";
    public const string WorkflowDeleted = "Workflow.Deleted";
    public const string WorkflowPublished = "Workflow.Published";
    public const string WorkflowRestored = "Workflow.Restored";
    public const string WorkflowEnabled = "Workflow.Enabled";
    public const string WorkflowDisabled = "Workflow.Disabled";
    public const string WorkflowDebug = "Workflow.Debug";
    public const string WorkflowImported = "Workflow.Imported";
    public const string AlertAcknowledged = "Alert.Acknowledged";
    public const string AlertCleared = "Alert.Cleared";
    public const string JobRunRequested = "Job.RunRequested";
    public const string JobRunCancelled = "Job.RunCancelled";
    public const string FileUploaded = "File.Uploaded";
    public const string FileDeleted = "File.Deleted";
    public const string CommunicatorCreated = "Communicator.Created";
    public const string CommunicatorUpdated = "Communicator.Updated";
    public const string CommunicatorDeleted = "Communicator.Deleted";
    public const string CommunicatorTested = "Communicator.Tested";
    public const string NotificationRuleCreated = "NotificationRule.Created";
    public const string NotificationRuleUpdated = "NotificationRule.Updated";
    public const string NotificationRuleDeleted = "NotificationRule.Deleted";

    public static readonly IReadOnlyList<string> All =
    [
        SignInSucceeded, SignInFailed, SignInThrottled, SignInLockedOut, PasswordChanged, UserCreated, UserUpdated, UserPasswordReset,
        RoleCreated, RoleUpdated, RoleDeleted, DeviceCreated, DeviceUpdated, DeviceDeleted, DeviceSecretRegenerated, DeviceCertificateIssued, DeviceCertificateRegistered,
        DeviceCertificateRevoked, CommandSent, EntityCreated, EntityRenamed, EntityMoved, EntityDeleted, MessagesReprocessed, MessagesExported, BrokerCreated, BrokerUpdated, BrokerDeleted, BrokerEnabled, BrokerDisabled,
        FormatCreated, FormatUpdated, FormatDeleted, ProfileCreated, ProfileUpdated, ProfileDeleted, DeviceProfileAssigned,
        DeviceAttributeSet, DeviceAttributeDeleted,
        WorkflowCreated, WorkflowDraftSaved, WorkflowDeleted, WorkflowPublished, WorkflowRestored, WorkflowEnabled, WorkflowDisabled, WorkflowDebug,
        WorkflowImported,
        AlertAcknowledged, AlertCleared, JobRunRequested, JobRunCancelled, FileUploaded, FileDeleted,
        CommunicatorCreated, CommunicatorUpdated, CommunicatorDeleted, CommunicatorTested, NotificationRuleCreated, NotificationRuleUpdated, NotificationRuleDeleted,
    ];
}
