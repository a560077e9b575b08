namespace IoTRoutes.Core.Entities;

public sealed record EntityDto(Guid Id, string Name, EntityType Type, Guid? ParentId, int Depth);

public sealed record CreateEntityRequest(string? Name, EntityType? Type, Guid? ParentId = null);

public enum EntityChangeOutcome
{
    Done,
    NotFound,
    Invalid,
}

/// <summary>The outcome of a change: done (with the entity's id), not found (or out of scope), or invalid with field errors.</summary>
public sealed record EntityChangeResult(EntityChangeOutcome Outcome, Guid? Id = null, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static readonly EntityChangeResult NotFound = new(EntityChangeOutcome.NotFound);

    public static EntityChangeResult Done(Guid id) => new(EntityChangeOutcome.Done, id);

    public static EntityChangeResult Invalid(string field, string error) =>
        new(EntityChangeOutcome.Invalid, Errors: new Dictionary<string, string[]> { [field] = [error] });
}
