namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>The topic rule: a device publishes and subscribes only under <c>devices/&lt;its key&gt;/</c>.</summary>
public static class DeviceTopics
{
    public const string Prefix = "devices/";

    public static string RootOf(string deviceKey) => $"{Prefix}{deviceKey}/";

    public static bool IsOwn(string deviceKey, string? topicOrFilter)
    {
        if (string.IsNullOrEmpty(topicOrFilter))
        {
            return false;
        }

        var root = RootOf(deviceKey);
        return topicOrFilter.Length > root.Length && topicOrFilter.StartsWith(root, StringComparison.Ordinal);
    }
}
