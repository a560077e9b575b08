using System.Diagnostics;

namespace IoTRoutes.Tests.Infrastructure;

/// <summary>The real mosquitto_pub client (Debian's mosquitto-clients), as a device owner would use it.</summary>
public static class MosquittoPub
{
    public static async Task<(int ExitCode, string Output)> RunAsync(int port, string user, string password, string topic, string payload, string protocol = "mqttv311")
    {
        var start = new ProcessStartInfo("mosquitto_pub")
        {
            ArgumentList = { "-h", "127.0.0.1", "-p", port.ToString(), "-u", user, "-P", password, "-t", topic, "-m", payload, "-q", "1", "-V", protocol },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
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
}
