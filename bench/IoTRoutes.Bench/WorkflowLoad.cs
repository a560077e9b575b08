using System.Diagnostics;
using System.Text.Json.Nodes;

namespace IoTRoutes.Bench;

/// <summary>How far the workflow fell behind during a run: the messages waiting for it over time, and how long it took to catch up after.</summary>
public sealed record WorkflowLag(List<(double Seconds, long Waiting)> Samples, double DrainSeconds, long RunIn, long Errors)
{
    public long MaxWaiting => Samples.Count == 0 ? 0 : Samples.Max(s => s.Waiting);

    /// <summary>
    /// How fast the backlog grew over the run, in messages per second: the slope of a least-squares line through the
    /// samples. A workflow that keeps up stays near 0 whatever its rounds do (a busy runner's backlog rises and falls
    /// every quarter second, so comparing a few samples at the start and the end says more about when they fell than
    /// about growth); one that falls behind grows by the difference between the ingest rate and its own.
    /// </summary>
    public double GrowthPerSecond
    {
        get
        {
            if (Samples.Count < 3) return double.NaN;
            var meanT = Samples.Average(s => s.Seconds);
            var meanW = Samples.Average(s => (double)s.Waiting);
            var spread = Samples.Sum(s => (s.Seconds - meanT) * (s.Seconds - meanT));
            return spread == 0 ? double.NaN : Samples.Sum(s => (s.Seconds - meanT) * (s.Waiting - meanW)) / spread;
        }
    }
}

/// <summary>
/// Issue 15's benchmark workflow, active on every device: five nodes in a line (Filter, Transform, Threshold, Switch, Log)
/// over the JSON payload's fields, the Log at Information (below the bench's log level, so rendered and not written).
/// </summary>
public static class WorkflowLoad
{
    public const string Definition = """
        {"nodes":[{"id":"in","type":"OnMessage"},
          {"id":"filter","type":"Filter","settings":{"condition":"f1 > -40 && has('f2')"}},
          {"id":"transform","type":"Transform","settings":{"set":{"f1F":"f1 * 9 / 5 + 32","comfort":"f2 < 60"},"remove":["pad"]}},
          {"id":"threshold","type":"Threshold","settings":{"field":"f1","threshold":50,"hysteresis":1}},
          {"id":"switch","type":"Switch","settings":{"cases":[{"name":"hot","condition":"f1F > 150"},{"name":"cold","condition":"f1F < 50"}]}},
          {"id":"log","type":"Log","settings":{"message":"{{ device.name }}: {{ f1 }}","level":"Information"}}],
         "links":[{"from":"in","to":"filter"},{"from":"filter","fromPort":"true","to":"transform"},{"from":"transform","to":"threshold"},
                  {"from":"threshold","fromPort":"unchanged","to":"switch"},{"from":"threshold","fromPort":"crossed","to":"switch"},
                  {"from":"switch","fromPort":"default","to":"log"},{"from":"switch","fromPort":"hot","to":"log"},{"from":"switch","fromPort":"cold","to":"log"}]}
        """;

    public static async Task<Guid> PublishAsync(Api api)
    {
        var id = await api.CreateWorkflowAsync(new JsonObject { ["name"] = $"Bench {Guid.NewGuid():N}"[..14], ["definition"] = JsonNode.Parse(Definition) });
        await api.PublishWorkflowAsync(id);
        return id;
    }

    /// <summary>Samples the workflow's waiting messages every half second until cancelled.</summary>
    public static async Task<List<(double Seconds, long Waiting)>> SampleAsync(Api api, Guid workflowId, CancellationToken ct)
    {
        var samples = new List<(double, long)>();
        var clock = Stopwatch.StartNew();
        while (!ct.IsCancellationRequested)
        {
            var (waiting, _, _) = await api.WorkflowRuntimeAsync(workflowId);
            samples.Add((clock.Elapsed.TotalSeconds, waiting));
            try
            {
                await Task.Delay(500, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return samples;
    }

    /// <summary>Waits until nothing is waiting; the seconds it took, the messages the trigger ran on, the errors.</summary>
    public static async Task<(double Seconds, long In, long Errors)> DrainAsync(Api api, Guid workflowId, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (waiting, runIn, errors) = await api.WorkflowRuntimeAsync(workflowId);
            if (waiting == 0 || clock.Elapsed > timeout) return (clock.Elapsed.TotalSeconds, runIn, errors);
            await Task.Delay(100);
        }
    }
}
