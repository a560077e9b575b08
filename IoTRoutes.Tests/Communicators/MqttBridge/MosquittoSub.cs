using System.Diagnostics;
using System.Threading.Channels;

namespace IoTRoutes.Tests.Communicators.MqttBridge;

/// <summary>The real mosquitto_sub, subscribed (its SUBACK seen) before the test publishes; reads "topic payload" lines.</summary>
public sealed class MosquittoSub : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    private MosquittoSub(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) _lines.Writer.TryComplete();
            else _lines.Writer.TryWrite(e.Data);
        };
        process.BeginOutputReadLine();
    }

    /// <param name="format">mosquitto_sub's -F format (over MQTT 5, so that %P shows user properties); "topic payload" when null.</param>
    public static async Task<MosquittoSub> StartAsync(MosquittoBroker broker, string filter, string? format = null)
    {
        // Line-buffered (coreutils' stdbuf): into a pipe, mosquitto_sub's output would wait for a full buffer.
        var start = new ProcessStartInfo("stdbuf") { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] shape = format is null ? ["-v"] : ["-V", "mqttv5", "-F", format];
        foreach (var argument in new[] { "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", broker.Port.ToString(), "-u", MosquittoBroker.User, "-P", broker.Password, "-t", filter, "-q", "1", "-d" }.Concat(shape))
        {
            start.ArgumentList.Add(argument);
        }

        var sub = new MosquittoSub(Process.Start(start)!);
        await sub.ReadUntilAsync(line => line.Contains("received SUBACK"), "mosquitto_sub's SUBACK");
        return sub;
    }

    /// <summary>The next message, as mosquitto_sub -v prints it: "topic payload".</summary>
    public Task<string> NextMessageAsync() =>
        ReadUntilAsync(line => !line.StartsWith("Client ", StringComparison.Ordinal) && !line.StartsWith("Subscribed", StringComparison.Ordinal), "a message at mosquitto_sub");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task<string> ReadUntilAsync(Func<string, bool> wanted, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(timeout.Token);
                if (wanted(line)) return line;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            var exit = _process.HasExited ? $"mosquitto_sub exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()}" : "mosquitto_sub still runs";
            throw new TimeoutException($"No {what} within 10 s ({exit}).");
        }
    }
}
