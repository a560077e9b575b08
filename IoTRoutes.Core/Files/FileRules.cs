namespace IoTRoutes.Core.Files;

public static class FileRules
{
    public const int MaxNameLength = 200;
    public const int MaxContentTypeLength = 100;
    public const int MaxCreatedByLength = 256;
    public const int MaxEffectKeyLength = 128;

    /// <summary>The name a file gets when nothing of the given one is left.</summary>
    public const string FallbackName = "file";
}
