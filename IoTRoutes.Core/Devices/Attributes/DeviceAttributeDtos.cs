using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Devices.Attributes;

/// <summary>One attribute of a device: its value (a string, number or boolean), when it last changed and by whom.</summary>
public sealed record DeviceAttributeDto(string Key, JsonNode? Value, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>
/// What a write did: the keys whose value changed (an unchanged value is not written), or why nothing was written
/// (<see cref="Problem"/>: the device would hold more than <see cref="AttributeRules.MaxPerDevice"/>, or a key clashes).
/// </summary>
public sealed record AttributeWrite(IReadOnlyList<string> Changed, string? Problem = null);
