namespace IoTRoutes.Core.Messaging.Formats.Json;

/// <summary>Where a device puts its own timestamp, and how it is written.</summary>
public enum TimestampEncoding
{
    Iso8601,
    EpochSeconds,
    EpochMilliseconds,
}

/// <summary>One JSON value mapped to a field.</summary>
public sealed record JsonFieldMapping(
    string Path, string Name, Decoding.FieldType Type = Decoding.FieldType.Number, string? Unit = null, double Scale = 1, double Offset = 0,
    bool Required = false);

/// <summary>
/// The settings of a <c>Json</c> format. Without <see cref="Fields"/>, the payload's object is kept as it is. With
/// <see cref="ReadingsPath"/>, the mappings apply to each element of that array (a batch of readings in one message).
/// Commands are written by <see cref="Template"/> when there is one (<see cref="Encoders.JsonTemplate"/>), else by the
/// mappings backwards.
/// </summary>
public sealed record JsonMapping(
    List<JsonFieldMapping>? Fields = null, string? ReadingsPath = null, string? TimestampPath = null,
    TimestampEncoding TimestampEncoding = TimestampEncoding.Iso8601, string? Template = null);
