namespace IoTRoutes.Web.Security;

/// <summary>Permission policy names for pages (<c>[Authorize(Policy = Policies.DevicesView)]</c>) and <c>AuthorizeView</c>.</summary>
public static class Policies
{
    public const string DevicesView = "perm:Devices.View";
    public const string DevicesManage = "perm:Devices.Manage";
    public const string DevicesRegenerateSecret = "perm:Devices.RegenerateSecret";
    public const string MessagesView = "perm:Messages.View";
    public const string MessagesExport = "perm:Messages.Export";
    public const string MessagesManage = "perm:Messages.Manage";
    public const string EntitiesView = "perm:Entities.View";
    public const string EntitiesManage = "perm:Entities.Manage";
    public const string RolesView = "perm:Roles.View";
    public const string UsersView = "perm:Users.View";
    public const string AuditLogView = "perm:AuditLog.View";
    public const string UsersManage = "perm:Users.Manage";
    public const string UsersResetPassword = "perm:Users.ResetPassword";
    public const string RolesManage = "perm:Roles.Manage";
    public const string BrokersView = "perm:Brokers.View";
    public const string BrokersManage = "perm:Brokers.Manage";
    public const string BrokersActivate = "perm:Brokers.Activate";
    public const string DevicesSendCommand = "perm:Devices.SendCommand";
    public const string FormatsView = "perm:MessageFormats.View";
    public const string FormatsManage = "perm:MessageFormats.Manage";
    public const string WorkflowsView = "perm:Workflows.View";
    public const string WorkflowsManage = "perm:Workflows.Manage";
    public const string WorkflowsPublish = "perm:Workflows.Publish";
    public const string JobsView = "perm:Jobs.View";
    public const string JobsRunNow = "perm:Jobs.RunNow";
    public const string AlertsView = "perm:Alerts.View";
    public const string AlertsManage = "perm:Alerts.Manage";
    public const string FilesView = "perm:Files.View";
    public const string FilesManage = "perm:Files.Manage";
    public const string CommunicatorsView = "perm:Communicators.View";
    public const string CommunicatorsManage = "perm:Communicators.Manage";
}
