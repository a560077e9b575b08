namespace IoTRoutes.Core.Media;

/// <summary>What a file's first bytes say it is: the interpreter that reads it, its content type and a short format name.</summary>
public sealed record MediaType(MediaKind Kind, string ContentType, string Format)
{
    public static readonly MediaType Unknown = new(MediaKind.Other, "application/octet-stream", "binary");
}
