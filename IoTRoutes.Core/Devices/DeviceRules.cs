namespace IoTRoutes.Core.Devices;

public static class DeviceRules
{
    public const int MaxNameLength = 100;

    public static string? CheckName(string? name) => name?.Trim() switch
    {
        null or "" => "Give the device a name.",
        { Length: > MaxNameLength } => $"A device name has at most {MaxNameLength} characters.",
        var trimmed => DisplayText.Problem(trimmed),
    };
}
