namespace IoTRoutes.Core.Media;

/// <summary>Which interpreter read a file: images and WAV audio are decoded, anything else only typed and measured.</summary>
public enum MediaKind
{
    Other,
    Image,
    Audio,
}
