namespace IoTRoutes.Core.Devices.Import;

/// <summary>
/// One data row of an import file as understood: <paramref name="Line"/> is its line in the file (the header is line 1),
/// <paramref name="Entity"/> and <paramref name="Profile"/> the names they resolved to, <paramref name="Errors"/> why it cannot be created.
/// </summary>
public sealed record DeviceImportRow(int Line, string Name, string Entity, string? Profile, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// What an import would do: the rows, and problems of the file as a whole (no header, an unknown column, too many rows,
/// broken quoting). Nothing is created unless every row is valid and there is no file problem.
/// </summary>
public sealed record DeviceImportPreview(IReadOnlyList<DeviceImportRow> Rows, IReadOnlyList<string> Problems)
{
    public bool CanImport => Problems.Count == 0 && Rows.Count > 0 && Rows.All(r => r.IsValid);

    public int ErrorCount => Problems.Count + Rows.Count(r => !r.IsValid);
}

/// <summary>A device the import created, with its MQTT secret: shown this once, not stored.</summary>
public sealed record ImportedDevice(int Line, Guid Id, string Name, string Key, string Secret, string Entity, string? Profile);

/// <summary>The preview, and the devices created when it was valid (null when nothing was created).</summary>
public sealed record DeviceImportResult(DeviceImportPreview Preview, IReadOnlyList<ImportedDevice>? Created);
