using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IoTRoutes.Bench;

/// <summary>One measured IoTRoutes run: the publishers' view, what was stored, and the process's CPU and memory.</summary>
public sealed record IngestRun(
    PublishResult Publish, long Stored, long Processed, double IngestPerSecond, TimeSpan Cpu, TimeSpan Wall, long PeakBytes, double MachineBusy,
    List<(string Page, double Ms, bool Ok)> PageRenders, PayloadFormat Format = PayloadFormat.Json, WorkflowLag? Lag = null)
{
    public double CpuMicrosecondsPerMessage => Cpu.TotalMicroseconds / Math.Max(1, Publish.Acknowledged);

    public double PagePercentile(double p) => new PublishResult(0, 0, TimeSpan.Zero, [.. PageRenders.Where(r => r.Ok).Select(r => r.Ms)]).Percentile(p);
}

/// <summary>One measured run of the bare MQTTnet server (its own process).</summary>
public sealed record BareRun(PublishResult Publish, TimeSpan Cpu, double MachineBusy)
{
    public double CpuPercent => Cpu.TotalSeconds / Publish.Elapsed.TotalSeconds * 100;

    public double CpuMicrosecondsPerMessage => Cpu.TotalMicroseconds / Math.Max(1, Publish.Acknowledged);
}

/// <summary>Collects a run's numbers; writes them as JSON, and with --record as a section and a chart in docs/benchmarks.md.</summary>
public sealed class Report(BenchOptions options)
{
    private readonly Dictionary<string, object> _results = new();
    private PublishResult? _baseline;
    private PublishResult? _iotroutes;

    public void Baseline(BareRun run)
    {
        var r = run.Publish;
        _baseline = r;
        _results["baseline"] = new
        {
            acksPerSecond = r.PerSecond, p50Ms = r.Percentile(50), p99Ms = r.Percentile(99), r.Acknowledged, r.Failed, cpuPercent = run.CpuPercent,
            cpuMicrosecondsPerMessage = run.CpuMicrosecondsPerMessage, machineBusyPercent = run.MachineBusy * 100,
        };
    }

    public void IoTRoutes(IngestRun run)
    {
        var r = run.Publish;
        _iotroutes = r;
        _results["iotroutes"] = new
        {
            acksPerSecond = r.PerSecond, run.IngestPerSecond, p50Ms = r.Percentile(50), p99Ms = r.Percentile(99), r.Acknowledged, r.Failed,
            run.Stored, run.Processed, lost = Math.Max(0, r.Acknowledged - run.Stored), cpuPercent = run.Cpu.TotalSeconds / run.Wall.TotalSeconds * 100,
            cpuMicrosecondsPerMessage = run.CpuMicrosecondsPerMessage, machineBusyPercent = run.MachineBusy * 100,
            pageRenders = run.PageRenders.Count, pageRendersFailed = run.PageRenders.Count(p => !p.Ok),
            pageRenderP50Ms = run.PagePercentile(50), pageRenderMaxMs = run.PagePercentile(100),
            peakMemoryMiB = run.PeakBytes / 1048576.0,
            ratioToBaseline = _baseline is null ? (double?)null : r.PerSecond / _baseline.PerSecond,
        };
    }

    /// <summary>Every round of a --repeat run (the sections above hold the median round).</summary>
    public void Rounds(List<(double? Bare, double IoTRoutes)> rounds) =>
        _results["rounds"] = new
        {
            acksPerSecond = string.Join("; ", rounds.Select(r => r.Bare is { } bare
                ? string.Create(CultureInfo.InvariantCulture, $"{bare:N0} → {r.IoTRoutes:N0} ({r.IoTRoutes / bare:P0})")
                : string.Create(CultureInfo.InvariantCulture, $"{r.IoTRoutes:N0}"))),
        };

    /// <summary>
    /// Every format's run of each round (--format all): ingest rates, CPU per message and machine load, and each format's
    /// ingest rate against the JSON run of the same round; the top-level numbers are medians of the rounds.
    /// </summary>
    public void Formats(List<Dictionary<PayloadFormat, IngestRun>> rounds)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        static double Ratio(Dictionary<PayloadFormat, IngestRun> round, PayloadFormat format) =>
            round[format].IngestPerSecond / round[PayloadFormat.Json].IngestPerSecond;

        string Round(Dictionary<PayloadFormat, IngestRun> round) => string.Join(", ", round.OrderBy(r => r.Key).Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.Key.ToString().ToLowerInvariant()} {r.Value.IngestPerSecond:N0}/s{(r.Key == PayloadFormat.Json ? "" : $" ({Ratio(round, r.Key):N2})")} " +
            $"{r.Value.CpuMicrosecondsPerMessage:N1} µs/msg, machine {r.Value.MachineBusy:P0}")));

        var binary = Median(rounds.Select(r => Ratio(r, PayloadFormat.Binary)));
        var script = Median(rounds.Select(r => Ratio(r, PayloadFormat.Script)));
        _results["formats"] = new
        {
            jsonIngestPerSecond = Median(rounds.Select(r => r[PayloadFormat.Json].IngestPerSecond)),
            binaryIngestPerSecond = Median(rounds.Select(r => r[PayloadFormat.Binary].IngestPerSecond)),
            scriptIngestPerSecond = Median(rounds.Select(r => r[PayloadFormat.Script].IngestPerSecond)),
            binaryToJson = binary,
            scriptToJson = script,
            jsonCpuMicrosecondsPerMessage = Median(rounds.Select(r => r[PayloadFormat.Json].CpuMicrosecondsPerMessage)),
            binaryCpuMicrosecondsPerMessage = Median(rounds.Select(r => r[PayloadFormat.Binary].CpuMicrosecondsPerMessage)),
            scriptCpuMicrosecondsPerMessage = Median(rounds.Select(r => r[PayloadFormat.Script].CpuMicrosecondsPerMessage)),
            rounds = string.Join("; ", rounds.Select(Round)),
        };
        Console.WriteLine($"formats, median of {rounds.Count} round(s): binary/json {binary:N2} (target 0.90: {(binary >= 0.9 ? "met" : "short")}), " +
                          $"script/json {script:N2} (target 0.50: {(script >= 0.5 ? "met" : "short")})");
        for (var i = 0; i < rounds.Count; i++)
        {
            Console.WriteLine($"  round {i + 1}: {Round(rounds[i])}");
        }
    }

    /// <summary>
    /// Each round's run without and with the workflow on every device (--workflow): ingest rates, their ratio (target 0.9),
    /// CPU per message, and the workflow's lag (largest backlog, its growth in messages per second over the run,
    /// the time to catch up once publishing stopped); the top-level numbers are medians of the rounds.
    /// </summary>
    public void Workflow(List<(IngestRun Without, IngestRun With)> rounds)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        static string Round((IngestRun Without, IngestRun With) r) => string.Create(CultureInfo.InvariantCulture,
            $"without {r.Without.IngestPerSecond:N0}/s {r.Without.CpuMicrosecondsPerMessage:N1} µs/msg, with {r.With.IngestPerSecond:N0}/s " +
            $"{r.With.CpuMicrosecondsPerMessage:N1} µs/msg ({r.With.IngestPerSecond / r.Without.IngestPerSecond:N2}), waiting max {r.With.Lag!.MaxWaiting:N0} " +
            $"growth {r.With.Lag.GrowthPerSecond:N0}/s, caught up {r.With.Lag.DrainSeconds:N1} s after, ran {r.With.Lag.RunIn:N0}, errors {r.With.Lag.Errors}");

        var ratio = Median(rounds.Select(r => r.With.IngestPerSecond / r.Without.IngestPerSecond));
        _results["workflow"] = new
        {
            withoutIngestPerSecond = Median(rounds.Select(r => r.Without.IngestPerSecond)),
            withIngestPerSecond = Median(rounds.Select(r => r.With.IngestPerSecond)),
            withToWithout = ratio,
            withoutCpuMicrosecondsPerMessage = Median(rounds.Select(r => r.Without.CpuMicrosecondsPerMessage)),
            withCpuMicrosecondsPerMessage = Median(rounds.Select(r => r.With.CpuMicrosecondsPerMessage)),
            maxWaiting = Median(rounds.Select(r => (double)r.With.Lag!.MaxWaiting)),
            waitingGrowthPerSecond = Median(rounds.Select(r => r.With.Lag!.GrowthPerSecond)),
            catchUpSeconds = Median(rounds.Select(r => r.With.Lag!.DrainSeconds)),
            rounds = string.Join("; ", rounds.Select(Round)),
        };
        Console.WriteLine($"workflow, median of {rounds.Count} round(s): with/without {ratio:N2} (target 0.90: {(ratio >= 0.9 ? "met" : "short")})");
        for (var i = 0; i < rounds.Count; i++)
        {
            Console.WriteLine($"  round {i + 1}: {Round(rounds[i])}");
        }
    }

    public void Kill(long acknowledged, long storedAfterRestart) =>
        _results["kill"] = new { acknowledged, storedAfterRestart, lost = Math.Max(0, acknowledged - storedAfterRestart) };

    public void Idle(int devices, long baselineBytes, long residentBytes, long peakBytes) =>
        _results["idle"] = new
        {
            devices, residentMiB = residentBytes / 1048576.0, peakMiB = peakBytes / 1048576.0,
            kibPerConnection = (residentBytes - baselineBytes) / (double)devices / 1024,
        };

    public void Designer(DesignerRun run) =>
        _results["designer"] = new
        {
            run.Nodes, run.Links,
            openMedianMs = run.Open.Median, openMaxMs = run.Open.Max, dragMedianMs = run.Drag.Median, dragMaxMs = run.Drag.Max,
            panMedianMs = run.Pan.Median, panMaxMs = run.Pan.Max, zoomMedianMs = run.Zoom.Median, zoomMaxMs = run.Zoom.Max,
        };

    public void Write()
    {
        if (_results.Count == 0)
        {
            return;
        }

        var machine = Machine();
        var document = new
        {
            date = DateTimeOffset.UtcNow, machine = new { machine.cores, machine.cpu, machine.memoryGiB, machine.commit }, options, results = _results,
        };
        Directory.CreateDirectory("bench-results");
        var file = Path.Combine("bench-results", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{options.Mode}.json");
        File.WriteAllText(file, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Console.WriteLine($"results: {file}");
        if (!options.Record)
        {
            return;
        }

        var chart = _iotroutes is not null && _baseline is not null ? Chart() : null;
        var md = new StringBuilder();
        md.AppendLine().AppendLine($"### {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {options.Mode} · {options.Database}")
            .AppendLine().AppendLine($"Machine: {machine.cores} cores ({machine.cpu}), {machine.memoryGiB:N1} GiB; commit `{machine.commit}`. " +
                $"Settings: {options.Clients} clients, {options.Devices} devices, {options.Messages:N0} messages, QoS {options.Qos}, " +
                $"{string.Join(" / ", PayloadFormats.Parse(options.Format).Select(f => PayloadFormats.Describe(f, options.PayloadBytes)))}, {options.InFlight} in flight per client{(options.Rate > 0 ? $", paced at {options.Rate:N0}/s" : "")}" +
                $"{(options.Mode == "ingest" ? options.Warmup > 0 ? $", after {options.Warmup:N0} warm-up messages" : ", cold (no warm-up)" : "")}" +
                $"{(options.Repeat > 1 ? $"; median of {options.Repeat} rounds" : "")}.")
            .AppendLine().AppendLine("| measure | value |").AppendLine("|---|---|");
        foreach (var (section, values) in _results)
        {
            foreach (var property in values.GetType().GetProperties())
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {section}.{property.Name} | {Format(property.GetValue(values))} |");
            }
        }

        if (chart is not null)
        {
            md.AppendLine().AppendLine($"![{options.Mode} run]({chart})");
        }

        File.AppendAllText(Path.Combine(options.Output, "benchmarks.md"), md.ToString());
        Console.WriteLine($"recorded in {Path.Combine(options.Output, "benchmarks.md")}");
    }

    private string Chart()
    {
        var plot = new ScottPlot.Plot();
        var rates = new[] { _baseline!.PerSecond, _iotroutes!.PerSecond };
        var bars = plot.Add.Bars(rates);
        plot.Axes.Bottom.SetTicks([0, 1], ["bare MQTTnet", "IoTRoutes (stored)"]);
        plot.Axes.Left.Label.Text = $"QoS {options.Qos} acknowledged messages / s";
        plot.Title($"{options.Clients} clients, {options.PayloadBytes}-byte JSON, {options.Database}");
        plot.Axes.Margins(bottom: 0);
        _ = bars;
        var name = $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.png";
        var images = Path.Combine(options.Output, "images");
        Directory.CreateDirectory(images);
        plot.SavePng(Path.Combine(images, name), 640, 360);
        return $"images/{name}";
    }

    private static string Format(object? value) => value switch
    {
        double d when double.IsNaN(d) => "n/a",
        double d when Math.Abs(d) < 10 => d.ToString("N2", CultureInfo.InvariantCulture),
        double d => d.ToString("N1", CultureInfo.InvariantCulture),
        null => "n/a",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static (int cores, string cpu, double memoryGiB, string commit) Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        var memoryKb = File.Exists("/proc/meminfo")
            ? long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])
            : 0;
        string commit;
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true })!;
            commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            commit = "?";
        }

        return (Environment.ProcessorCount, cpu, memoryKb / 1048576.0, commit);
    }
}
