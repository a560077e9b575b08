namespace IoTRoutes.Core.Security.Permissions;

/// <summary>A named set of access levels and actions. Users may hold several roles; the most permissive wins.</summary>
public sealed class Role
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary>Administrator, Operator and Client: they can be copied and edited, not deleted or renamed.</summary>
    public bool IsBuiltIn { get; set; }

    public List<RoleGrant> Grants { get; set; } = [];
    public List<RoleAction> Actions { get; set; } = [];
}

public sealed class RoleGrant
{
    public Guid RoleId { get; set; }
    public SecuredObject Object { get; set; }
    public AccessLevel Level { get; set; }
}

public sealed class RoleAction
{
    public Guid RoleId { get; set; }
    public required string Action { get; set; }
}

public sealed class UserRole
{
    public Guid UserId { get; set; }
    public Guid RoleId { get; set; }
}
