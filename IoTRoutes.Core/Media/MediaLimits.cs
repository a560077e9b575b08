using System.ComponentModel.DataAnnotations;

namespace IoTRoutes.Core.Media;

/// <summary>
/// Bounds and thresholds of the media interpreters, bound to <c>IoTRoutes:Media</c> as defaults; a caller (a workflow
/// node) may pass its own. <see cref="Problems"/> says what is wrong with a set built from user input.
/// </summary>
public sealed record MediaLimits
{
    public const string Section = "IoTRoutes:Media";

    /// <summary>Larger files are Rejected without being decoded.</summary>
    [Range(typeof(long), "1", "1073741824")] public long MaxBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>
    /// An image declaring more pixels (width × height) is Rejected before decoding: a few kilobytes of PNG can declare
    /// gigapixels, and a decoded pixel takes 4 bytes.
    /// </summary>
    [Range(typeof(long), "1", "1000000000")] public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>The thumbnail's long side, in pixels (kept aspect; smaller images are not enlarged).</summary>
    [Range(8, 1024)] public int ThumbnailMaxSide { get; init; } = 160;

    /// <summary>A WAV stretch whose samples reach this level (dBFS, 0 = full scale) is loud.</summary>
    [Range(-150.0, 0.0)] public double LoudThresholdDbfs { get; init; } = -20;

    /// <summary>Loud stretches shorter than this are not reported; quiet gaps shorter than this join two stretches.</summary>
    [Range(0.0, 3600.0)] public double MinLoudSeconds { get; init; } = 0.1;

    /// <summary>Reading one file longer than this is given up and the file Rejected.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")] public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public static MediaLimits Default { get; } = new();

    /// <summary>One sentence per value out of its range; empty when every value is usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? "A media limit is out of range.")];
    }
}
