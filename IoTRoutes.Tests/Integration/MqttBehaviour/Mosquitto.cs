using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace IoTRoutes.Tests.Integration.MqttBehaviour;

/// <summary>Debian's mosquitto_sub / mosquitto_pub, run against a broker on 127.0.0.1, their output read line by line.</summary>
public sealed class Mosquitto : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _output = new();
    private readonly Task _reading;

    private Mosquitto(string tool, IEnumerable<string> arguments)
    {
        // Through stdbuf: written to a pipe, the tools' stdout would be block-buffered and arrive only at exit.
        var start = new ProcessStartInfo("stdbuf") { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { "-oL", "-eL", tool } };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        _reading = Task.WhenAll(ReadAsync(_process.StandardOutput), ReadAsync(_process.StandardError))
            .ContinueWith(_ => _lines.Writer.TryComplete(), TaskScheduler.Default);
    }

    private string Tool => _process.StartInfo.ArgumentList[2];

    /// <summary>Everything the tool printed so far, stdout and stderr interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts mosquitto_sub with <c>-d</c> (debug lines show the packets) on <paramref name="port"/>.</summary>
    public static Mosquitto Sub(int port, params string[] arguments) => new("mosquitto_sub", ["-h", "127.0.0.1", "-p", port.ToString(), "-d", .. arguments]);

    public static Mosquitto Pub(int port, params string[] arguments) => new("mosquitto_pub", ["-h", "127.0.0.1", "-p", port.ToString(), "-d", .. arguments]);

    /// <summary>Runs mosquitto_pub to its end.</summary>
    public static async Task<(int ExitCode, string Output)> PublishAsync(int port, params string[] arguments)
    {
        using var pub = Pub(port, arguments);
        return await pub.ExitAsync();
    }

    /// <summary>Waits for a line the tool prints, failing the test when it exits or takes too long first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string what)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(timeout.Token))
            {
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException($"{Tool} did not print {what}. Output:\n{Output}");
    }

    /// <summary>Waits until mosquitto_sub's subscriptions are acknowledged.</summary>
    public Task WaitUntilSubscribedAsync() => WaitForLineAsync(line => line.Contains("received SUBACK", StringComparison.Ordinal), "a SUBACK");

    public async Task<(int ExitCode, string Output)> ExitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{Tool} did not exit. Output:\n{Output}");
        }

        await _reading;
        return (_process.ExitCode, Output);
    }

    /// <summary>Kills the process: its socket is closed by the OS, without an MQTT DISCONNECT.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private async Task ReadAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }

            _lines.Writer.TryWrite(line);
        }
    }
}
