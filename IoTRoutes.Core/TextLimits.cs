namespace IoTRoutes.Core;

public static class TextLimits
{
    /// <summary>The text cut to the column's length, for values written as they come (e-mails, addresses, reasons).</summary>
    public static string? Clip(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}
