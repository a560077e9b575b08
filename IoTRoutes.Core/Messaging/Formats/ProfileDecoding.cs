using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Brokers.Topics;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>One format of a profile, compiled: <see cref="Compiled"/> is null when the stored format cannot be used (<see cref="Problem"/>).</summary>
public sealed record ProfileFormat(
    Guid FormatId, string Name, int Version, ExchangeType ExchangeType, string TopicPattern, DiscriminatorMatch? Discriminator, int FPort,
    CompiledFormat? Compiled, string? Problem, FormatKind Kind = FormatKind.Json);

/// <summary>A device profile ready for traffic: its formats in order, and its variables.</summary>
public sealed class ProfileDecoding(Guid profileId, string name, IReadOnlyList<ProfileFormat> formats, IReadOnlyDictionary<string, string> variables)
{
    public Guid ProfileId => profileId;
    public string Name => name;
    public IReadOnlyList<ProfileFormat> Formats => formats;
    public IReadOnlyDictionary<string, string> Variables => variables;

    /// <summary>The first uplink format whose topic pattern and discriminator match, or null.</summary>
    public ProfileFormat? SelectUplink(string topic, ReadOnlySpan<byte> payload)
    {
        foreach (var format in formats)
        {
            if (format.ExchangeType != ExchangeType.Command && TopicFilter.Matches(format.TopicPattern, topic)
                && (format.Discriminator is null || format.Discriminator.Matches(payload)))
            {
                return format;
            }
        }

        return null;
    }

    /// <summary>The profile's first Command format (it encodes commands to its devices), or null.</summary>
    public ProfileFormat? CommandFormat => formats.FirstOrDefault(f => f.ExchangeType == ExchangeType.Command);
}

/// <summary>A discriminator ready for traffic: its JSON path and byte value read once per format version, not per message.</summary>
public sealed class DiscriminatorMatch(Discriminator discriminator)
{
    private readonly Json.JsonPath? _path = discriminator.JsonPath is { } text && Json.JsonPath.TryParse(text, out var path, out _) ? path : null;
    private readonly byte? _byte = discriminator.ByteAt is null ? null : FormatRules.ParseByte(discriminator.Value);

    public bool Matches(ReadOnlySpan<byte> payload)
    {
        var d = discriminator;
        if (d.ByteAt is { } at)
        {
            return at < payload.Length && _byte == payload[at];
        }

        if (d.CsvColumn is { } column)
        {
            var line = Encoding.UTF8.GetString(payload).Split('\n')[0];
            var values = line.Split(d.Separator ?? ",");
            return column < values.Length && values[column].Trim().Trim('"') == d.Value;
        }

        try
        {
            if (_path?.Select(JsonNode.Parse(payload)) is not JsonValue value)
            {
                return false;
            }

            return value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() == d.Value : value.ToJsonString() == d.Value;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return false; // not JSON (or not UTF-8): this discriminator does not match
        }
    }
}
