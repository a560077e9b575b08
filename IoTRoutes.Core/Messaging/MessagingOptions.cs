using System.ComponentModel.DataAnnotations;

namespace IoTRoutes.Core.Messaging;

/// <summary>Bound to <c>IoTRoutes:Messaging</c>.</summary>
public sealed class MessagingOptions
{
    public const string Section = "IoTRoutes:Messaging";

    /// <summary>Larger payloads are refused (MQTT 5: PUBACK 0x97 quota exceeded) and recorded as Rejected without their payload.</summary>
    [Range(1, 64 * 1024 * 1024)] public int MaxPayloadBytes { get; set; } = 256 * 1024;
}
