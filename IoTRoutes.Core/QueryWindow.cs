namespace IoTRoutes.Core;

/// <summary>The rule every "newest first, from/to, limit" query shares.</summary>
public static class QueryWindow
{
    /// <summary>Field errors for <paramref name="limit"/> outside 1..<paramref name="maxLimit"/> or <paramref name="from"/> after <paramref name="to"/>.</summary>
    public static Dictionary<string, string[]> Check(int limit, int maxLimit, DateTimeOffset? from, DateTimeOffset? to)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit < 1 || limit > maxLimit)
        {
            errors["limit"] = [$"limit must be between 1 and {maxLimit}."];
        }

        if (from is { } f && to is { } t && f > t)
        {
            errors["from"] = ["from must not be later than to."];
        }

        return errors;
    }
}
