namespace IoTRoutes.Core.Security.Permissions;

/// <summary>What one operation needs: an access level on an object, or a named action.</summary>
public sealed record Permission
{
    private Permission(SecuredObject obj, AccessLevel level, string? action)
    {
        Object = obj;
        Level = level;
        Action = action;
    }

    public SecuredObject Object { get; }
    public AccessLevel Level { get; }
    public string? Action { get; }

    public static Permission View(SecuredObject obj) => new(obj, AccessLevel.View, null);

    public static Permission Manage(SecuredObject obj) => new(obj, AccessLevel.Manage, null);

    public static Permission Of(SecuredAction action) => new(action.Object, AccessLevel.None, action.Key);

    /// <summary>The policy name pages and routes use: <c>perm:Devices.View</c>, <c>perm:Devices.SendCommand</c>.</summary>
    public string PolicyName => $"{PolicyPrefix}{this}";

    public const string PolicyPrefix = "perm:";

    public override string ToString() => Action ?? $"{Object}.{Level}";

    public static Permission? Parse(string text)
    {
        if (SecuredActions.All.FirstOrDefault(a => a.Key == text) is { } action)
        {
            return Of(action);
        }

        var dot = text.IndexOf('.');
        return dot > 0
            && Enum.TryParse<SecuredObject>(text[..dot], out var obj)
            && Enum.TryParse<AccessLevel>(text[(dot + 1)..], out var level) && level != AccessLevel.None
            ? new Permission(obj, level, null)
            : null;
    }
}

/// <summary>What a user may do: the most permissive level per object over all its roles, and the union of their actions.</summary>
public sealed class EffectivePermissions(IReadOnlyDictionary<SecuredObject, AccessLevel> levels, IReadOnlySet<string> actions)
{
    public static readonly EffectivePermissions None = new(new Dictionary<SecuredObject, AccessLevel>(), new HashSet<string>());

    public AccessLevel LevelOf(SecuredObject obj) => levels.GetValueOrDefault(obj, AccessLevel.None);

    public bool Allows(Permission permission) =>
        permission.Action is { } action ? actions.Contains(action) : LevelOf(permission.Object) >= permission.Level;
}

/// <summary>Thrown by a Core service asked to do what its caller may not; pages and routes check first, so reaching it is a bug.</summary>
public sealed class PermissionDeniedException(Permission permission)
    : Exception($"This needs the permission {permission}.")
{
    public Permission Permission { get; } = permission;
}
