using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Core.Messaging.Brokers.Topics;
using IoTRoutes.Core.Messaging.Formats;

if (args is ["seed-explorer", var provider])
{
    ExplorerStore.Open(provider); // the 5 million messages of ExplorerFirstPage, written once before measuring
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PerMessageWork).Assembly).Run(args);

/// <summary>The work IoTRoutes does for every uplink outside MQTTnet and the database.</summary>
[MemoryDiagnoser]
public class PerMessageWork
{
    private readonly JsonPayloadDecoder _decoder = new();
    private readonly RateMeter _meter = new(TimeProvider.System);
    private readonly byte[] _payload = System.Text.Encoding.UTF8.GetBytes(
        """{"seq":1234,"f1":12.3,"f2":45.6,"f3":78.9,"f4":1.2,"f5":3.4,"f6":5.6,"f7":7.8,"f8":9.1,"pad":"xxxxxxxxxxxx"}""");

    [Benchmark(Description = "decode a 128-byte JSON payload")]
    public bool Decode() => _decoder.Decode(_payload).Succeeded;

    [Benchmark(Description = "device topic rule")]
    public bool TopicRule() => DeviceTopics.IsOwn("abcdef123456", "devices/abcdef123456/telemetry");

    [Benchmark(Description = "topic filter match (shared subscriptions, denied filters)")]
    public bool FilterMatch() => TopicFilter.Matches("bench/+/telemetry/#", "bench/17/telemetry/room/1");

    [Benchmark(Description = "rate meter mark")]
    public void Mark() => _meter.Mark();
}
