using System.Collections.Concurrent;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>
/// The outcome of a saved version's test cases. A version never changes, so it is run once per process rather than on
/// every listing (a list of script formats would otherwise compile and run every script on each page load). Only
/// outcomes where every case passed are kept: a failure may come from a time limit on a busy machine, and is run again.
/// </summary>
public sealed class VersionTestResults
{
    private const int MaxVersions = 2_000;
    private readonly ConcurrentDictionary<(Guid Id, int Version), IReadOnlyList<FormatTestResult>> Results = new();

    internal IReadOnlyList<FormatTestResult> Of(MessageFormat format, IReadOnlyList<FormatTestCase> cases, DateTimeOffset now)
    {
        if (Results.TryGetValue((format.Id, format.Version), out var known))
        {
            return known;
        }

        var compiled = FormatCatalog.Compile(format);
        var results = compiled.Compiled is { } ready ? FormatTrial.RunTests(ready, format.ExchangeType, cases, format.FPort, now) : [];
        if (results.Any(r => !r.Passed)) return results;
        if (Results.Count >= MaxVersions) Results.Clear();
        Results[(format.Id, format.Version)] = results;
        return results;
    }
}
