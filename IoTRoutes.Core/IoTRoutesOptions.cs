namespace IoTRoutes.Core;

/// <summary>Settings that every module shares, bound to section <c>IoTRoutes</c>.</summary>
public sealed class IoTRoutesOptions
{
    public const string Section = "IoTRoutes";

    /// <summary>Folder for the SQLite file, the signing key and (later) files. Relative paths are resolved against the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// The host name (or address) devices reach this machine at, written into the connect commands the device pages show.
    /// Unset: the host the browser opened the page at, which is wrong when that is localhost or a proxy's name.
    /// </summary>
    public string? PublicHost { get; set; }

    public string ResolveDataDirectory()
    {
        var full = Path.GetFullPath(DataDirectory);
        Directory.CreateDirectory(full);
        return full;
    }
}
