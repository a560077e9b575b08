namespace IoTRoutes.Core.Messaging.Brokers.Topics;

/// <summary>
/// A broker's denied subscriptions, applied as mosquitto applies its ACLs: each denied filter closes an area of topics
/// (the topics it matches and everything below them, so denying <c>secret</c> also closes <c>secret/plans</c>). A
/// subscription lying wholly inside a closed area is refused; a broader one (<c>#</c>, <c>+/+</c>) is granted, and is
/// simply never given a message whose topic lies in a closed area, retained messages included.
/// </summary>
public sealed class DeniedTopics
{
    private readonly (string Denied, string Area)[] _areas;

    public DeniedTopics(IEnumerable<string> deniedFilters) =>
        _areas = [.. deniedFilters.Select(f => (f, f == "#" || f.EndsWith("/#", StringComparison.Ordinal) ? f : f + "/#"))];

    public bool IsEmpty => _areas.Length == 0;

    /// <summary>The denied filter whose area <paramref name="filter"/> lies wholly inside, or null when it may be granted.</summary>
    public string? Refusing(string filter)
    {
        foreach (var (denied, area) in _areas)
        {
            if (TopicFilter.IsWithin(filter, area))
            {
                return denied;
            }
        }

        return null;
    }

    /// <summary>Whether no subscriber may be given a message on <paramref name="topic"/>.</summary>
    public bool Hides(string topic)
    {
        foreach (var (_, area) in _areas)
        {
            if (TopicFilter.Matches(area, topic))
            {
                return true;
            }
        }

        return false;
    }
}
