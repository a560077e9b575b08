using System.ComponentModel.DataAnnotations;

namespace IoTRoutes.Core.Files;

/// <summary>Bound to <c>IoTRoutes:Files</c>.</summary>
public sealed class FilesOptions
{
    public const string Section = "IoTRoutes:Files";

    /// <summary>The largest file accepted, in bytes (default 25 MiB).</summary>
    [Range(1, 4L * 1024 * 1024 * 1024)]
    public long MaxBytes { get; set; } = 25 * 1024 * 1024;
}
