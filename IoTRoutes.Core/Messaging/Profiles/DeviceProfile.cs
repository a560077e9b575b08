namespace IoTRoutes.Core.Messaging.Profiles;

/// <summary>
/// A kind of device: the formats its messages are read with, in order (the first whose exchange type, topic and
/// discriminator match decodes a message), and variables handed to its scripts. Owned by an entity; a device has at
/// most one profile.
/// </summary>
public sealed class DeviceProfile
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public Guid EntityId { get; set; }
    public Entities.Entity? Entity { get; set; }

    /// <summary>Name → value, as a JSON object of strings (TS013's <c>variables</c>).</summary>
    public string Variables { get; set; } = "{}";

    public DateTimeOffset CreatedAt { get; set; }
    public List<DeviceProfileFormat> Formats { get; set; } = [];
}

/// <summary>A format's place in a profile.</summary>
public sealed class DeviceProfileFormat
{
    public Guid ProfileId { get; set; }
    public Guid FormatId { get; set; }
    public int Position { get; set; }
}
