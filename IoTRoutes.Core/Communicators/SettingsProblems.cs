namespace IoTRoutes.Core.Communicators;

/// <summary>Collects what is wrong with a communicator's settings: field name in camelCase -> sentences for people.</summary>
internal sealed class SettingsProblems
{
    private readonly Dictionary<string, List<string>> _problems = [];

    public void Add(string field, string? sentence)
    {
        if (sentence is null) return;
        if (!_problems.TryGetValue(field, out var list)) _problems[field] = list = [];
        list.Add(sentence);
    }

    public void AddAll(string prefix, IReadOnlyDictionary<string, string[]> nested)
    {
        foreach (var (field, sentences) in nested)
        {
            foreach (var sentence in sentences) Add($"{prefix}.{field}", sentence);
        }
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() => _problems.ToDictionary(p => p.Key, p => p.Value.ToArray());

    /// <summary>The problems as one message: "Settings are not valid: host: A host is required."</summary>
    public static string Describe(string what, IReadOnlyDictionary<string, string[]> problems) =>
        $"{what} not valid: " + string.Join(" ", problems.SelectMany(p => p.Value.Select(s => $"{p.Key}: {s}")));
}
