namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>A bridge's mappings compiled, by direction, in the order they were given.</summary>
internal sealed class MqttBridgeRoutes
{
    public const int MaxMappings = 100;

    private MqttBridgeRoutes(IReadOnlyList<TopicMapping> inbound, IReadOnlyList<TopicMapping> outbound)
    {
        Inbound = inbound;
        Outbound = outbound;
    }

    public IReadOnlyList<TopicMapping> Inbound { get; }

    public IReadOnlyList<TopicMapping> Outbound { get; }

    public static MqttBridgeRoutes Compile(IReadOnlyList<MqttBridgeMapping>? mappings, ProblemList problems)
    {
        var inbound = new List<TopicMapping>();
        var outbound = new List<TopicMapping>();
        mappings ??= [];
        if (mappings.Count > MaxMappings)
        {
            problems.Add("mappings", $"A bridge has at most {MaxMappings} mappings.");
            return new MqttBridgeRoutes([], []);
        }

        for (var i = 0; i < mappings.Count; i++)
        {
            var field = $"mappings[{i}]";
            if (mappings[i] is null)
            {
                problems.Add(field, "A mapping is required here.");
                continue;
            }

            if (TopicMapping.Compile(mappings[i], field, problems) is not { } mapping)
            {
                continue;
            }

            if (mapping.Source.Direction == MqttBridgeDirection.Outbound)
            {
                outbound.Add(mapping);
                continue;
            }

            // Two subscriptions matching one topic may each bring the message: it would be stored twice.
            var overlapping = inbound.FirstOrDefault(m => TopicMapping.Overlap(m.Filter, mapping.Filter));
            if (overlapping is not null)
            {
                var other = mappings.ToList().IndexOf(overlapping.Source);
                problems.Add($"{field}.filter",
                    $"'{mapping.Filter}' overlaps the inbound filter '{overlapping.Filter}' of mapping {other + 1}: a message matching both could be stored twice.");
                continue;
            }

            inbound.Add(mapping);
        }

        return new MqttBridgeRoutes(inbound, outbound);
    }
}
