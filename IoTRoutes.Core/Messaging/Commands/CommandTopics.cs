namespace IoTRoutes.Core.Messaging.Commands;

/// <summary>Commands go to <c>devices/&lt;key&gt;/commands/&lt;id&gt;</c>; replies come back on <c>.../&lt;id&gt;/reply</c>.</summary>
public static class CommandTopics
{
    public static string Prefix(string deviceKey) => $"devices/{deviceKey}/commands/";

    public static string Command(string deviceKey, Guid commandId) => $"{Prefix(deviceKey)}{commandId:D}";

    public static string Reply(string deviceKey, Guid commandId) => $"{Command(deviceKey, commandId)}/reply";

    /// <summary>Whether <paramref name="filter"/>, subscribed by the device, receives its commands.</summary>
    public static bool CoversCommands(string deviceKey, string filter)
    {
        var sample = Command(deviceKey, Guid.Empty);
        return Brokers.Topics.TopicFilter.Matches(filter, sample);
    }

    /// <summary>Reads the command id from a command topic (<paramref name="isReply"/> false) or a reply topic (true).</summary>
    public static bool TryParse(string topic, out string deviceKey, out Guid commandId, out bool isReply)
    {
        deviceKey = "";
        commandId = Guid.Empty;
        isReply = false;
        var parts = topic.Split('/');
        if (parts.Length is < 4 or > 5 || parts[0] != "devices" || parts[2] != "commands" || !Guid.TryParseExact(parts[3], "D", out commandId))
        {
            return false;
        }

        if (parts.Length == 5 && parts[4] != "reply")
        {
            return false;
        }

        deviceKey = parts[1];
        isReply = parts.Length == 5;
        return true;
    }
}
