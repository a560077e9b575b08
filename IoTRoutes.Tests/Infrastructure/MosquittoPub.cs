using System.Diagnostics;

namespace IoTRoutes.Tests.Infrastructure;

/// <summary>The real mosquitto_pub client (Debian's mosquitto-clients), as a device owner would use it.</summary>
public static class MosquittoPub
{
    public static Task<(int ExitCode, string Output)> RunAsync(int port, string user, string password, string topic, string payload, string protocol = "mqttv311") =>
        RunToolAsync("mosquitto_pub", ["-h", "127.0.0.1", "-p", port.ToString(), "-u", user, "-P", password, "-t", topic, "-m", payload, "-q", "1", "-V", protocol]);

    /// <summary>Runs mosquitto_pub or mosquitto_sub to its end (at most 30 s); returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunToolAsync(string tool, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Publishes and fails the test when mosquitto_pub does not exit with 0.</summary>
    public static async Task PublishAsync(int port, string user, string password, string topic, string payload)
    {
        var (exitCode, output) = await RunAsync(port, user, password, topic, payload);
        Assert.True(exitCode == 0, $"mosquitto_pub failed ({exitCode}): {output}");
    }

    /// <summary>Publishes bytes as they are (mosquitto_pub -f, QoS 1) and fails the test when mosquitto_pub does not exit with 0.</summary>
    public static async Task PublishFileAsync(int port, string user, string password, string topic, byte[] payload)
    {
        var file = Path.Combine(Path.GetTempPath(), $"payload-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(file, payload);
        try
        {
            var (exitCode, output) = await RunToolAsync("mosquitto_pub",
                ["-h", "127.0.0.1", "-p", port.ToString(), "-u", user, "-P", password, "-t", topic, "-f", file, "-q", "1"]);
            Assert.True(exitCode == 0, $"mosquitto_pub -f failed ({exitCode}): {output}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
