using System.Diagnostics;
using IoTRoutes.Bench;

if (args is ["--serve-bare", var port])
{
    await BareBroker.ServeAsync(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

var options = BenchOptions.Parse(args);
var report = new Report(options);
try
{
    switch (options.Mode)
    {
        case "ingest":
            await IngestAsync();
            break;
        case "kill":
            await KillAsync();
            break;
        case "idle":
            await IdleAsync();
            break;
        case "designer":
            await DesignerAsync();
            break;
        default:
            throw new ArgumentException($"Unknown mode {options.Mode}: ingest, kill, idle or designer.");
    }
}
finally
{
    report.Write();
}

async Task IngestAsync()
{
    // The machine is noisy (a shared VM): with --repeat the pair bare → IoTRoutes runs several times, and the round with
    // the median ratio is the one reported, with every round's numbers beside it. With --format all a round runs JSON,
    // Binary and Script each on a fresh IoTRoutes with the same warm-up and load, in alternating order from one round to
    // the next (a drift of the machine's speed then favours none of them), and each format is compared with the JSON run
    // of its own round.
    if (options.Workflow)
    {
        await WorkflowRoundsAsync();
        return;
    }

    var formats = PayloadFormats.Parse(options.Format);
    var reference = formats[0];
    var rounds = new List<(BareRun? Bare, Dictionary<PayloadFormat, IngestRun> Runs)>();
    for (var round = 1; round <= options.Repeat; round++)
    {
        if (options.Repeat > 1)
        {
            Console.WriteLine($"round {round} of {options.Repeat}");
        }

        var bare = options.Baseline ? await BareRunAsync(reference) : null;
        var runs = new Dictionary<PayloadFormat, IngestRun>();
        foreach (var format in round % 2 == 1 ? formats : formats.Reverse())
        {
            runs[format] = await IoTRoutesRunAsync(format);
        }

        rounds.Add((bare, runs));
    }

    var median = rounds.OrderBy(r => r.Bare is null ? r.Runs[reference].Publish.PerSecond : r.Runs[reference].Publish.PerSecond / r.Bare.Publish.PerSecond)
        .ElementAt(rounds.Count / 2);
    if (median.Bare is not null)
    {
        report.Baseline(median.Bare);
    }

    report.IoTRoutes(median.Runs[reference]);
    if (rounds.Count > 1)
    {
        report.Rounds(rounds.ConvertAll(r => (r.Bare?.Publish.PerSecond, r.Runs[reference].Publish.PerSecond)));
    }

    if (formats.Count > 1)
    {
        report.Formats(rounds.ConvertAll(r => r.Runs));
    }
}

async Task WorkflowRoundsAsync()
{
    // Without and with the workflow on fresh processes, the order alternating from round to round (see IngestAsync).
    var rounds = new List<(IngestRun Without, IngestRun With)>();
    for (var round = 1; round <= options.Repeat; round++)
    {
        Console.WriteLine($"round {round} of {options.Repeat}");
        IngestRun without, with;
        if (round % 2 == 1)
        {
            without = await IoTRoutesRunAsync(PayloadFormat.Json);
            with = await IoTRoutesRunAsync(PayloadFormat.Json, workflow: true);
        }
        else
        {
            with = await IoTRoutesRunAsync(PayloadFormat.Json, workflow: true);
            without = await IoTRoutesRunAsync(PayloadFormat.Json);
        }

        rounds.Add((without, with));
    }

    report.Workflow(rounds);
}

async Task<BareRun> BareRunAsync(PayloadFormat format)
{
    var payload = Payloads.For(format, options.PayloadBytes);
    await using var bare = new BareBroker();
    await bare.StartAsync();
    var clients = await Publishers.ConnectAsync(bare.Port, new Credentials?[options.Clients]);
    string[] bareTopics = [.. Enumerable.Range(0, options.Clients).Select(i => $"bench/{i}/telemetry")];
    await WarmUpAsync(clients, bareTopics, payload);
    var cpuBefore = bare.CpuTime;
    var machine = MachineCpu.Sample();
    var result = await Publishers.RunAsync(clients, bareTopics, options, payload);
    var cpu = bare.CpuTime - cpuBefore;
    var busy = MachineCpu.BusySince(machine);
    clients.ForEach(c => c.Dispose());
    var run = new BareRun(result, cpu, busy);
    Console.WriteLine($"bare MQTTnet: {result.PerSecond:N0} acks/s, p50 {result.Percentile(50):N1} ms, p99 {result.Percentile(99):N1} ms, " +
                      $"CPU {run.CpuPercent:N0}% ({run.CpuMicrosecondsPerMessage:N1} µs per message), machine {busy:P0} busy");
    return run;
}

async Task<IngestRun> IoTRoutesRunAsync(PayloadFormat format, bool workflow = false)
{
    await using var app = await StartAppAsync();
    using var api = new Api(app.Url, options.Email, options.Password);
    await api.SignInAsync();
    Guid? formatId = null, profileId = null;
    if (PayloadFormats.Definition(format, $"Bench {format} {Guid.NewGuid():N}") is { } definition)
    {
        (formatId, profileId) = await api.CreateProfileAsync(definition);
    }

    var devices = await api.CreateDevicesAsync(options.Devices, $"Bench {format}", profileId);
    Guid? workflowId = workflow ? await WorkflowLoad.PublishAsync(api) : null;
    var payload = Payloads.For(format, options.PayloadBytes);
    var credentials = Enumerable.Range(0, options.Clients).Select(i => (Credentials?)devices[i % devices.Count]).ToList();
    var topics = credentials.Select(c => $"devices/{c!.Key}/telemetry").ToList();
    var connected = await Publishers.ConnectAsync(app.MqttPort, credentials);
    // The pages are timed during the warm-up load (the same publishers at full speed), after a first unmeasured render
    // each: rendering them during the measured run would charge the UI's CPU to the ingest rate.
    using var pages = new PageProbe(app.Url, options.Email, options.Password);
    await pages.SignInAsync();
    await pages.WarmUpAsync();
    var start = await api.StatsAsync();
    List<(string Page, double Ms, bool Ok)> renders;
    using (var warming = new CancellationTokenSource())
    {
        var probing = pages.RunAsync(warming.Token);
        // The lag is sampled through the API during the measured run: sampled during the warm-up too, so that the code
        // behind it is compiled (and tiered up) before, not charged to the measured run.
        var warmingSamples = workflowId is { } warmedUp ? WorkflowLoad.SampleAsync(api, warmedUp, warming.Token) : null;
        var warm = await WarmUpAsync(connected, topics, payload);
        await warming.CancelAsync();
        renders = await probing;
        if (warmingSamples is not null) await warmingSamples;
        if (warm is not null)
        {
            await WaitForProcessedAsync(api, start, warm.Acknowledged, TimeSpan.FromMinutes(5));
        }
    }

    if (workflowId is { } warmed)
    {
        await WorkflowLoad.DrainAsync(api, warmed, TimeSpan.FromMinutes(5)); // the warm-up's backlog is not this run's
    }

    var before = await api.StatsAsync();
    var cpuBefore = app.CpuTime;
    var machine = MachineCpu.Sample();
    using var sampling = new CancellationTokenSource();
    var lagSamples = workflowId is { } sampled ? WorkflowLoad.SampleAsync(api, sampled, sampling.Token) : null;
    var clock = Stopwatch.StartNew();
    var run = await Publishers.RunAsync(connected, topics, options, payload);
    var busy = MachineCpu.BusySince(machine);
    var after = await WaitForProcessedAsync(api, before, run.Acknowledged, TimeSpan.FromMinutes(5));
    var ingestSeconds = clock.Elapsed.TotalSeconds;
    var cpu = app.CpuTime - cpuBefore;
    WorkflowLag? lag = null;
    if (workflowId is { } measured)
    {
        await sampling.CancelAsync();
        var samples = await lagSamples!;
        var (drain, runIn, errors) = await WorkflowLoad.DrainAsync(api, measured, TimeSpan.FromMinutes(5));
        lag = new WorkflowLag(samples, drain, runIn, errors);
    }

    var (_, peak) = app.Memory();
    connected.ForEach(c => c.Dispose());
    var stored = after.Received - before.Received;
    var processed = after.Processed + after.Rejected - before.Processed - before.Rejected;
    var result = new IngestRun(run, stored, processed, processed / ingestSeconds, cpu, clock.Elapsed, peak, busy, renders, format, lag);
    Console.WriteLine($"IoTRoutes ({PayloadFormats.Describe(format, options.PayloadBytes)}): {run.PerSecond:N0} acks/s, ingest {result.IngestPerSecond:N0} msg/s, p50 {run.Percentile(50):N1} ms, " +
                      $"p99 {run.Percentile(99):N1} ms, lost {run.Acknowledged - stored}, CPU {cpu.TotalSeconds / clock.Elapsed.TotalSeconds * 100:N0}% " +
                      $"({cpu.TotalMicroseconds / Math.Max(1, run.Acknowledged):N1} µs per message), machine {busy:P0} busy, peak {peak / 1048576} MiB");
    if (lag is not null)
    {
        Console.WriteLine($"  workflow: waiting max {lag.MaxWaiting:N0}, growth {lag.GrowthPerSecond:N0}/s, caught up {lag.DrainSeconds:N1} s after, ran {lag.RunIn:N0} messages, {lag.Errors} errors");
    }

    Console.WriteLine($"  pages under the warm-up load: {renders.Count} renders of {string.Join(", ", renders.Select(r => r.Page).Distinct())}, " +
                      $"{renders.Count(r => !r.Ok)} failed, p50 {result.PagePercentile(50):N0} ms, max {result.PagePercentile(100):N0} ms");
    await PayloadFormats.VerifyAsync(api, format, formatId, start, after, devices);
    return result;
}

async Task<PublishResult?> WarmUpAsync(IReadOnlyList<MQTTnet.IMqttClient> clients, IReadOnlyList<string> topics, Func<long, byte[]> payload)
{
    if (options.Warmup <= 0)
    {
        return null;
    }

    var warm = await Publishers.RunAsync(clients, topics, options with { Messages = options.Warmup, Rate = 0 }, payload);
    Console.WriteLine($"  warm-up: {warm.Acknowledged:N0} messages (not measured)");
    return warm;
}

async Task KillAsync()
{
    var data = Directory.CreateTempSubdirectory("iotroutes-bench-kill").FullName;
    await using var app = await StartAppAsync(data);
    using var api = new Api(app.Url, options.Email, options.Password);
    await api.SignInAsync();
    var devices = await api.CreateDevicesAsync(options.Devices, "Bench");
    var credentials = Enumerable.Range(0, options.Clients).Select(i => (Credentials?)devices[i % devices.Count]).ToList();
    var connected = await Publishers.ConnectAsync(app.MqttPort, credentials);
    var killAt = options.Messages / 2;
    var killed = 0;
    var run = await Publishers.RunAsync(connected, [.. credentials.Select(c => $"devices/{c!.Key}/telemetry")], options,
        Payloads.For(PayloadFormat.Json, options.PayloadBytes), acknowledged =>
    {
        if (acknowledged >= killAt && Interlocked.Exchange(ref killed, 1) == 0)
        {
            app.Kill(); // SIGKILL in the middle of the load
        }

        return killed == 1;
    });
    connected.ForEach(c => c.Dispose());

    await using var restarted = new IoTRoutesProcess(options, data, app.ConnectionString);
    await restarted.StartAsync();
    using var again = new Api(restarted.Url, options.Email, options.Password);
    await again.SignInAsync();
    var stats = await again.StatsAsync();
    report.Kill(run.Acknowledged, stats.Received);
    Console.WriteLine($"killed with SIGKILL after {run.Acknowledged:N0} acknowledged; after restart {stats.Received:N0} stored; lost {Math.Max(0, run.Acknowledged - stats.Received)}");
}

async Task IdleAsync()
{
    await using var app = await StartAppAsync();
    using var api = new Api(app.Url, options.Email, options.Password);
    await api.SignInAsync();
    var devices = await api.CreateDevicesAsync(options.IdleDevices, "Idle");
    GC.Collect();
    await Task.Delay(2000);
    var (baseline, _) = app.Memory();
    var connected = await Publishers.ConnectAsync(app.MqttPort, devices.ConvertAll(d => (Credentials?)d));
    await Task.Delay(5000);
    var (resident, peak) = app.Memory();
    report.Idle(devices.Count, baseline, resident, peak);
    Console.WriteLine($"{devices.Count:N0} idle devices: {resident / 1048576} MiB resident ({(resident - baseline) / devices.Count / 1024.0:N1} KiB per connection), peak {peak / 1048576} MiB");
    connected.ForEach(c => c.Dispose());
}

async Task DesignerAsync()
{
    await using var app = await StartAppAsync();
    using var api = new Api(app.Url, options.Email, options.Password);
    await api.SignInAsync();
    const int nodes = 300, links = 400;
    var id = await api.CreateWorkflowAsync(new System.Text.Json.Nodes.JsonObject { ["name"] = $"Designer bench {Guid.NewGuid():N}"[..24], ["definition"] = DesignerSpeed.Definition(nodes, links) });
    var run = await DesignerSpeed.MeasureAsync(app.Url, options.Email, options.Password, id, nodes, links);
    report.Designer(run);
    Console.WriteLine($"designer, {run.Nodes} nodes and {run.Links} links: open {run.Open}; drag {run.Drag}; pan {run.Pan}; zoom {run.Zoom}");
}

async Task<IoTRoutesProcess> StartAppAsync(string? data = null)
{
    if (options.Url is not null && data is null)
    {
        return IoTRoutesProcess.Attach(options);
    }

    var app = new IoTRoutesProcess(options, data ?? Directory.CreateTempSubdirectory("iotroutes-bench").FullName);
    await app.StartAsync();
    return app;
}

static async Task<Stats> WaitForProcessedAsync(Api api, Stats before, long expected, TimeSpan timeout)
{
    var clock = Stopwatch.StartNew();
    while (true)
    {
        var now = await api.StatsAsync();
        if (now.Processed + now.Rejected - before.Processed - before.Rejected >= expected || clock.Elapsed > timeout)
        {
            return now;
        }

        await Task.Delay(100);
    }
}
