namespace IoTRoutes.Core;

/// <summary>Settings that every module shares, bound to section <c>IoTRoutes</c>.</summary>
public sealed class IoTRoutesOptions
{
    public const string Section = "IoTRoutes";

    /// <summary>Folder for the SQLite file, the signing key and (later) files. Relative paths are resolved against the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    public string ResolveDataDirectory()
    {
        var full = Path.GetFullPath(DataDirectory);
        Directory.CreateDirectory(full);
        return full;
    }
}
