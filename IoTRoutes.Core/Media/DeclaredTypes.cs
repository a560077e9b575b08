namespace IoTRoutes.Core.Media;

/// <summary>
/// What a sender's declared content type is worth: a file declared as an image, audio or video whose content is of
/// another family is lying and Rejected; any other difference is kept as <c>declaredType</c> in the fields.
/// </summary>
internal static class DeclaredTypes
{
    private static readonly string[] CheckedFamilies = ["image", "audio", "video"];

    public static string? Contradiction(string? declaredType, MediaType detected)
    {
        var declared = Normalize(declaredType);
        if (declared is null) return null;
        var family = Family(declared);
        if (!CheckedFamilies.Contains(family) || family == Family(detected.ContentType)) return null;
        return $"The file was declared as {declared}, but its content is {detected.ContentType}.";
    }

    public static MediaReading Note(MediaReading reading, string? declaredType)
    {
        var declared = Normalize(declaredType);
        if (declared is not null && declared != reading.ContentType) reading.Fields["declaredType"] = declared;
        return reading;
    }

    private static string? Normalize(string? declaredType)
    {
        var value = declaredType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static string Family(string contentType) => contentType.Split('/', 2)[0];
}
