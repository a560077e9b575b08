namespace IoTRoutes.Core.Entities;

public static class EntityRules
{
    public const int MaxNameLength = 200;

    public static string? CheckName(string? name) => name?.Trim() switch
    {
        null or "" => "Give the entity a name.",
        { Length: > MaxNameLength } => $"An entity name has at most {MaxNameLength} characters.",
        var trimmed => DisplayText.Problem(trimmed),
    };
}
