namespace IoTRoutes.Core.Security.Permissions;

/// <summary>What a role grants access to. Stored by name, so new members can be added anywhere.</summary>
public enum SecuredObject
{
    Devices,
    Messages,
    Brokers,
    MessageFormats,
    Workflows,
    Jobs,
    Communicators,
    Files,
    Alerts,
    Entities,
    Users,
    Roles,
    AuditLog,
    Settings,
}

/// <summary>None, View (read), Manage (create, edit, delete; includes View).</summary>
public enum AccessLevel
{
    None = 0,
    View = 1,
    Manage = 2,
}

/// <summary>A named action beyond view/manage, such as <c>Devices.SendCommand</c>.</summary>
public sealed record SecuredAction(SecuredObject Object, string Name, string Description)
{
    public string Key => $"{Object}.{Name}";
}

public static class SecuredActions
{
    public static readonly SecuredAction BrokersActivate = new(SecuredObject.Brokers, "Activate", "Start and stop brokers");
    public static readonly SecuredAction UsersResetPassword = new(SecuredObject.Users, "ResetPassword", "Reset another user's password");
    public static readonly SecuredAction DevicesSendCommand = new(SecuredObject.Devices, "SendCommand", "Send commands to devices");
    public static readonly SecuredAction DevicesRegenerateSecret = new(SecuredObject.Devices, "RegenerateSecret", "Give a device a new secret");
    public static readonly SecuredAction JobsRunNow = new(SecuredObject.Jobs, "RunNow", "Run a job now");
    public static readonly SecuredAction WorkflowsPublish = new(SecuredObject.Workflows, "Publish", "Publish a workflow");
    public static readonly SecuredAction MessagesExport = new(SecuredObject.Messages, "Export", "Export messages");

    public static readonly IReadOnlyList<SecuredAction> All =
        [BrokersActivate, UsersResetPassword, DevicesSendCommand, DevicesRegenerateSecret, JobsRunNow, WorkflowsPublish, MessagesExport];

    public static bool IsKnown(string key) => All.Any(a => a.Key == key);
}
