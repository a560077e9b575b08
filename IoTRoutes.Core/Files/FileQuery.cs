namespace IoTRoutes.Core.Files;

/// <summary>
/// A page of files, newest first (ids are version 7 UUIDs), filtered by kind, device and a part of the name (any case).
/// <see cref="Cursor"/> is the last id of the previous page.
/// </summary>
public sealed record FileQuery(FileKind? Kind = null, string? Name = null, Guid? DeviceId = null, Guid? Cursor = null, int Limit = FileQuery.DefaultLimit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public IReadOnlyDictionary<string, string[]>? Validate()
    {
        var errors = QueryWindow.Check(Limit, MaxLimit, null, null);
        if (Name is { Length: > FileRules.MaxNameLength })
        {
            errors["name"] = [$"name has at most {FileRules.MaxNameLength} characters."];
        }

        return errors.Count == 0 ? null : errors;
    }

    internal IQueryable<StoredFile> Apply(IQueryable<StoredFile> files)
    {
        if (Kind is { } kind)
        {
            files = files.Where(f => f.Kind == kind);
        }

        if (DeviceId is { } deviceId)
        {
            files = files.Where(f => f.DeviceId == deviceId);
        }

        if (!string.IsNullOrWhiteSpace(Name))
        {
            var part = Name.Trim().ToUpperInvariant();
            files = files.Where(f => f.Name.ToUpper().Contains(part));
        }

        if (Cursor is { } cursor)
        {
            files = files.Where(f => f.Id < cursor);
        }

        return files;
    }
}
