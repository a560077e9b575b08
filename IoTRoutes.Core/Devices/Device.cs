namespace IoTRoutes.Core.Devices;

public sealed class Device
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Public identifier: the MQTT user name and the topic segment <c>devices/&lt;key&gt;/</c>.</summary>
    public required string Key { get; set; }
    /// <summary>SHA-256 of the generated secret; the secret itself is shown once and never stored.</summary>
    public required string SecretHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    public bool IsConnected { get; set; }

    /// <summary>The entity that owns the device; its users see it, others do not.</summary>
    public Guid EntityId { get; set; }
    public Entities.Entity? Entity { get; set; }

    /// <summary>The device's profile: which formats read its messages. None: any well-formed JSON is accepted as it is.</summary>
    public Guid? ProfileId { get; set; }
}
