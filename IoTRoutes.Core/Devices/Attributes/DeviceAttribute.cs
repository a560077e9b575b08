namespace IoTRoutes.Core.Devices.Attributes;

/// <summary>
/// A server-side value kept with a device (<c>floor: 3</c>, <c>room: "B12"</c>): set by users or workflows, read by
/// workflows as <c>device.attributes.floor</c>. Deleted with its device.
/// </summary>
public sealed class DeviceAttribute
{
    public Guid DeviceId { get; set; }
    public Device? Device { get; set; }

    /// <summary>See <see cref="AttributeRules.CheckKey"/>.</summary>
    public required string Key { get; set; }

    /// <summary>The value as JSON text: a string, a number or a boolean (<see cref="ScalarValue"/>).</summary>
    public required string Value { get; set; }

    /// <summary>When the value last changed (setting the same value again changes nothing).</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Who changed it last: a user's e-mail address, or <c>workflow &lt;id&gt;</c>.</summary>
    public required string UpdatedBy { get; set; }
}
