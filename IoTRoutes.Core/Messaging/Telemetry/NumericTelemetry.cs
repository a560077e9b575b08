using System.Text.Json;

namespace IoTRoutes.Core.Messaging.Telemetry;

/// <summary>One numeric field of a device's telemetry, one value per point of <see cref="TelemetryChart.Times"/>.</summary>
public sealed record TelemetryField(string Name, double[] Values);

/// <summary>The numeric fields a device reported in every one of its recent messages, oldest first.</summary>
public sealed record TelemetryChart(DateTimeOffset[] Times, IReadOnlyList<TelemetryField> Fields)
{
    public static readonly TelemetryChart Empty = new([], []);
}

/// <summary>
/// Turns JSON object payloads into chartable series: the top-level numeric fields present in every message
/// (so the lines line up point for point), at most <see cref="MaxFields"/> of them, in first-seen order.
/// </summary>
public static class NumericTelemetry
{
    public const int MaxFields = 4;

    public static TelemetryChart Extract(IReadOnlyList<(DateTimeOffset At, byte[] Payload)> messagesOldestFirst)
    {
        var points = new List<(DateTimeOffset At, Dictionary<string, double> Values)>();
        foreach (var (at, payload) in messagesOldestFirst)
        {
            if (NumbersOf(payload) is { Count: > 0 } values)
            {
                points.Add((at, values));
            }
        }

        if (points.Count == 0)
        {
            return TelemetryChart.Empty;
        }

        var common = points[0].Values.Keys.Where(k => points.All(p => p.Values.ContainsKey(k))).Take(MaxFields).ToList();
        var fields = common.Select(name => new TelemetryField(name, points.Select(p => p.Values[name]).ToArray())).ToList();
        return fields.Count == 0 ? TelemetryChart.Empty : new TelemetryChart(points.Select(p => p.At).ToArray(), fields);
    }

    private static Dictionary<string, double>? NumbersOf(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out var number) && double.IsFinite(number))
                {
                    values.TryAdd(property.Name, number);
                }
            }

            return values;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
