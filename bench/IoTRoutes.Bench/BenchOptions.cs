namespace IoTRoutes.Bench;

/// <summary>Command-line settings; every one has a default suited to the 2-core reference machine.</summary>
public sealed record BenchOptions
{
    public string Mode { get; init; } = "ingest";
    /// <summary>Attach to a running IoTRoutes (e.g. started with the README command) instead of starting one.</summary>
    public string? Url { get; init; }
    public int MqttPort { get; init; } = 1883;

    /// <summary>Process id of the attached IoTRoutes, to read its CPU and memory (optional).</summary>
    public int Pid { get; init; }
    public string AppDll { get; init; } = "IoTRoutes.Web/bin/Release/net10.0/IoTRoutes.Web.dll";
    public string Email { get; init; } = "admin@bench.local";
    public string Password { get; init; } = "Bench-password-1";
    public int Devices { get; init; } = 20;
    public int Clients { get; init; } = 20;
    public int Messages { get; init; } = 2000;
    /// <summary>
    /// <c>json</c> (devices without a profile: the built-in JSON check), <c>binary</c> or <c>script</c> (every device on a
    /// profile with that format of a 24-byte payload), or <c>all</c>: the three, one after the other in each round.
    /// </summary>
    public string Format { get; init; } = "json";
    public int Qos { get; init; } = 1;
    public int PayloadBytes { get; init; } = 128;
    public int InFlight { get; init; } = 16;
    public double Rate { get; init; }
    /// <summary>Messages published (unpaced, not measured) before each measured run: JIT tiering and caches warm up first.</summary>
    public int Warmup { get; init; } = 50_000;
    /// <summary>Rounds of bare → IoTRoutes in an ingest run; the median round (by ratio) is reported.</summary>
    public int Repeat { get; init; } = 1;
    public int IdleDevices { get; init; } = 10_000;
    public string Database { get; init; } = "Sqlite";
    public string? ConnectionString { get; init; }
    public bool Baseline { get; init; } = true;

    /// <summary>
    /// Each round runs the ingest twice on fresh IoTRoutes processes, without and with issue 15's five-node workflow active on
    /// every device (JSON only), and reports the ratio and the workflow's lag.
    /// </summary>
    public bool Workflow { get; init; }
    public string Output { get; init; } = "docs";
    public bool Record { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--mode" => o with { Mode = Next() },
                "--url" => o with { Url = Next() },
                "--mqtt-port" => o with { MqttPort = int.Parse(Next()) },
                "--pid" => o with { Pid = int.Parse(Next()) },
                "--app" => o with { AppDll = Next() },
                "--email" => o with { Email = Next() },
                "--password" => o with { Password = Next() },
                "--devices" => o with { Devices = int.Parse(Next()) },
                "--clients" => o with { Clients = int.Parse(Next()) },
                "--messages" => o with { Messages = int.Parse(Next()) },
                "--format" => o with { Format = Next() },
                "--qos" => o with { Qos = int.Parse(Next()) },
                "--payload" => o with { PayloadBytes = int.Parse(Next()) },
                "--in-flight" => o with { InFlight = int.Parse(Next()) },
                "--rate" => o with { Rate = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--warmup" => o with { Warmup = int.Parse(Next()) },
                "--repeat" => o with { Repeat = Math.Max(1, int.Parse(Next())) },
                "--idle-devices" => o with { IdleDevices = int.Parse(Next()) },
                "--database" => o with { Database = Next() },
                "--connection-string" => o with { ConnectionString = Next() },
                "--no-baseline" => o with { Baseline = false },
                "--workflow" => o with { Workflow = true },
                "--output" => o with { Output = Next() },
                "--record" => o with { Record = true },
                _ => throw new ArgumentException($"Unknown option {args[i]}. See bench/README.md."),
            };
        }

        var formats = PayloadFormats.Parse(o.Format);
        if (o.Mode != "ingest" && formats is not [PayloadFormat.Json])
        {
            throw new ArgumentException("--format applies to the ingest mode; kill and idle publish JSON.");
        }

        if (o.Workflow && (o.Mode != "ingest" || formats is not [PayloadFormat.Json]))
        {
            throw new ArgumentException("--workflow applies to the ingest mode with JSON.");
        }

        return o;
    }
}
