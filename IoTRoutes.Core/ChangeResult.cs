namespace IoTRoutes.Core;

public enum ChangeOutcome
{
    Done,
    NotFound,
    Invalid,

    /// <summary>Valid, but the current state of things prevents it (a port in use, a broker still running).</summary>
    Conflict,

    /// <summary>The caller may see the object but not make this change (where it stands, not what it asked): 403.</summary>
    Forbidden,
}

/// <summary>The outcome of a change through a Core service: done (with the object's id), not found (or out of the caller's scope), or invalid with field errors.</summary>
public sealed record ChangeResult(ChangeOutcome Outcome, Guid? Id = null, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static readonly ChangeResult NotFound = new(ChangeOutcome.NotFound);

    public static ChangeResult Done(Guid id) => new(ChangeOutcome.Done, id);

    public static ChangeResult Invalid(string field, string error) =>
        new(ChangeOutcome.Invalid, Errors: new Dictionary<string, string[]> { [field] = [error] });

    public static ChangeResult Forbidden(string field, string error) =>
        new(ChangeOutcome.Forbidden, Errors: new Dictionary<string, string[]> { [field] = [error] });

    public static ChangeResult Conflict(string field, string error, Guid? id = null) =>
        new(ChangeOutcome.Conflict, id, new Dictionary<string, string[]> { [field] = [error] });

    /// <summary>The first error, for a page that shows one message.</summary>
    public string? FirstError => Errors?.Values.SelectMany(v => v).FirstOrDefault();
}
