namespace IoTRoutes.Core.Security.Permissions;

/// <summary>The roles every installation starts with (seeded by migration, fixed ids).</summary>
public static class BuiltInRoles
{
    public static readonly Guid AdministratorId = new("00000000-0000-0000-0001-000000000001");
    public static readonly Guid OperatorId = new("00000000-0000-0000-0001-000000000002");
    public static readonly Guid ClientId = new("00000000-0000-0000-0001-000000000003");

    public const string Administrator = "Administrator";
    public const string Operator = "Operator";
    public const string Client = "Client";

    public static IEnumerable<Role> All()
    {
        yield return new Role
        {
            Id = AdministratorId, Name = Administrator, IsBuiltIn = true, Description = "Everything, within the user's entity.",
        };
        yield return new Role
        {
            Id = OperatorId, Name = Operator, IsBuiltIn = true, Description = "Runs the platform: devices, brokers, jobs; no users or roles.",
        };
        yield return new Role
        {
            Id = ClientId, Name = Client, IsBuiltIn = true, Description = "Sees its devices and their data, and sends them commands.",
        };
    }

    public static IEnumerable<RoleGrant> Grants()
    {
        foreach (var obj in Enum.GetValues<SecuredObject>())
        {
            yield return new RoleGrant { RoleId = AdministratorId, Object = obj, Level = AccessLevel.Manage };
        }

        SecuredObject[] operated = [SecuredObject.Devices, SecuredObject.Brokers, SecuredObject.MessageFormats, SecuredObject.Workflows,
            SecuredObject.Jobs, SecuredObject.Communicators, SecuredObject.Files, SecuredObject.Alerts];
        foreach (var obj in operated)
        {
            yield return new RoleGrant { RoleId = OperatorId, Object = obj, Level = AccessLevel.Manage };
        }

        yield return new RoleGrant { RoleId = OperatorId, Object = SecuredObject.Messages, Level = AccessLevel.View };
        yield return new RoleGrant { RoleId = OperatorId, Object = SecuredObject.Entities, Level = AccessLevel.View };

        yield return new RoleGrant { RoleId = ClientId, Object = SecuredObject.Devices, Level = AccessLevel.View };
        yield return new RoleGrant { RoleId = ClientId, Object = SecuredObject.Messages, Level = AccessLevel.View };
        yield return new RoleGrant { RoleId = ClientId, Object = SecuredObject.Alerts, Level = AccessLevel.View };
        yield return new RoleGrant { RoleId = ClientId, Object = SecuredObject.Files, Level = AccessLevel.View };
    }

    public static IEnumerable<RoleAction> Actions()
    {
        foreach (var action in SecuredActions.All)
        {
            yield return new RoleAction { RoleId = AdministratorId, Action = action.Key };
        }

        foreach (var action in new[] { SecuredActions.BrokersActivate, SecuredActions.DevicesSendCommand, SecuredActions.DevicesRegenerateSecret,
                     SecuredActions.JobsRunNow, SecuredActions.WorkflowsPublish, SecuredActions.MessagesExport })
        {
            yield return new RoleAction { RoleId = OperatorId, Action = action.Key };
        }

        yield return new RoleAction { RoleId = ClientId, Action = SecuredActions.DevicesSendCommand.Key };
    }
}
