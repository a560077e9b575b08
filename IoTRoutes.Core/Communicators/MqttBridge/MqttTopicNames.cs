using System.Text;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>What a topic name to publish to must be (MQTT 5.0 §4.7): for the "Forward to MQTT" action and mapped topics.</summary>
public static class MqttTopicNames
{
    public const int MaxBytes = 65535;

    /// <summary>Why <paramref name="topic"/> cannot be published to, or null when it can.</summary>
    public static string? Problem(string? topic)
    {
        if (string.IsNullOrEmpty(topic))
        {
            return "A topic name cannot be empty.";
        }

        if (topic.Contains('+') || topic.Contains('#'))
        {
            return $"The topic name '{topic}' contains a wildcard (+ or #): only filters have them.";
        }

        if (topic.Contains('\0'))
        {
            return "A topic name cannot contain the character U+0000.";
        }

        return Encoding.UTF8.GetByteCount(topic) > MaxBytes ? $"A topic name has at most {MaxBytes} bytes." : null;
    }
}
