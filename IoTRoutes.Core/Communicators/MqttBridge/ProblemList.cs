namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>Problems gathered per field (camelCase), in the shape of a validation problem's errors.</summary>
internal sealed class ProblemList
{
    private readonly Dictionary<string, List<string>> _problems = [];

    public void Add(string field, string problem)
    {
        if (!_problems.TryGetValue(field, out var list))
        {
            _problems[field] = list = [];
        }

        list.Add(problem);
    }

    public bool IsEmpty => _problems.Count == 0;

    public IReadOnlyDictionary<string, string[]> ToDictionary() => _problems.ToDictionary(p => p.Key, p => p.Value.ToArray());
}
