namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>What a message is for: uplinks (telemetry, events, media, replies to commands) or downlinks (commands).</summary>
public enum ExchangeType
{
    Telemetry,
    Event,
    Media,
    Command,
    CommandReply,
}

public enum FormatKind
{
    Json,
    Delimited,
    Binary,
    CayenneLpp,
    Script,
}

/// <summary>
/// How one structure of messages is understood (decoded, or for commands encoded). Owned by an entity. Every change is
/// a new <see cref="Version"/>, kept in <see cref="MessageFormatVersion"/>: a decoded message names the version that
/// decoded it, and history is never rewritten.
/// </summary>
public sealed class MessageFormat
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public Guid EntityId { get; set; }
    public Entities.Entity? Entity { get; set; }

    public FormatKind Kind { get; set; }
    public ExchangeType ExchangeType { get; set; }

    /// <summary>MQTT topic filter the message's topic must match, e.g. <c>devices/+/up</c>; <c>#</c> for any.</summary>
    public string TopicPattern { get; set; } = "#";

    /// <summary>Optional extra condition (JSON of <see cref="Discriminator"/>): a JSON field value, a byte, a CSV column.</summary>
    public string? Discriminator { get; set; }

    /// <summary>The LoRaWAN-style port given to decoders and encoders (TS013's <c>fPort</c>); 1 by default.</summary>
    public int FPort { get; set; } = 1;

    /// <summary>The kind's own settings, as JSON (see each kind's settings record).</summary>
    public string Settings { get; set; } = "{}";

    /// <summary>Sample inputs and their expected outputs (JSON array of <see cref="FormatTestCase"/>).</summary>
    public string TestCases { get; set; } = "[]";

    public int Version { get; set; } = 1;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One version of a format as it was saved: the whole definition, so an old message can be explained.</summary>
public sealed class MessageFormatVersion
{
    public Guid FormatId { get; set; }
    public int Version { get; set; }

    /// <summary>The format's definition at that version (JSON of <see cref="FormatDefinition"/>).</summary>
    public required string Definition { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
}

/// <summary>The latest value of one field of one device, kept current on ingest for pages and dashboards.</summary>
public sealed class DeviceFieldValue
{
    public Guid DeviceId { get; set; }
    public required string Name { get; set; }

    /// <summary>The value as JSON (a number, string, boolean, or an object for multi-part readings).</summary>
    public required string Value { get; set; }

    public string? Unit { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid MessageId { get; set; }
}
