using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using IoTRoutes.Core.Communicators.MqttBridge;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Communicators.MqttBridge;

/// <summary>
/// A real external broker for the bridge: Debian's mosquitto on 127.0.0.1, a plain and a TLS listener on free ports,
/// one user with a password, no anonymous clients. It can be killed and started again on the same ports.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/mosquitto";
    public const string User = "bridge";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "iotroutes-mosquitto", Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _output = new();
    private Process? _process;

    private MosquittoBroker()
    {
    }

    /// <summary>Unique to this broker, so that a test can look for it in every text the bridge shows.</summary>
    public string Password { get; } = $"pw-{Guid.NewGuid():N}";

    public int Port { get; } = FreePort.Next();

    public int TlsPort { get; } = FreePort.Next();

    public TestCertificates Certificates { get; } = TestCertificates.Create();

    public static async Task<MosquittoBroker> StartAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install the Debian package 'mosquitto' (apt-get install mosquitto; test.sh does).");
        }

        var broker = new MosquittoBroker();
        await broker.WriteConfigurationAsync();
        await broker.RunAsync();
        return broker;
    }

    /// <summary>Settings for a bridge to this broker (plain listener, this user, MQTT 5) before a test changes them.</summary>
    public MqttBridgeSettings Settings(params MqttBridgeMapping[] mappings) => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        TimeoutSeconds = 5,
        Mappings = mappings,
    };

    public MqttBridgeSecrets Secrets => new() { Password = Password };

    /// <summary>Publishes with mosquitto_pub (QoS 1) as this broker's user; fails the test when it fails.</summary>
    public async Task PublishAsync(string topic, string payload)
    {
        var (exitCode, output) = await MosquittoPub.RunAsync(Port, User, Password, topic, payload);
        Assert.True(exitCode == 0, $"mosquitto_pub failed ({exitCode}): {output}");
    }

    /// <summary>Kills the broker as a crash would (no DISCONNECT to anyone).</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public Task RestartAsync() => RunAsync();

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }

    private async Task WriteConfigurationAsync()
    {
        Directory.CreateDirectory(_directory);
        var passwords = Path.Combine(_directory, "passwd");
        var (exitCode, output) = await MosquittoPub.RunToolAsync("mosquitto_passwd", ["-c", "-b", passwords, User, Password]);
        Assert.True(exitCode == 0, $"mosquitto_passwd failed ({exitCode}): {output}");
        await File.WriteAllTextAsync(Path.Combine(_directory, "server.pem"), Certificates.ServerPem);
        await File.WriteAllTextAsync(Path.Combine(_directory, "server.key"), Certificates.ServerKeyPem);
        await File.WriteAllTextAsync(Path.Combine(_directory, "mosquitto.conf"), $"""
            per_listener_settings false
            allow_anonymous false
            password_file {passwords}
            persistence false
            user {Environment.UserName}
            log_dest stderr
            listener {Port} 127.0.0.1
            listener {TlsPort} 127.0.0.1
            certfile {Path.Combine(_directory, "server.pem")}
            keyfile {Path.Combine(_directory, "server.key")}

            """);
    }

    private async Task RunAsync()
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Path.Combine(_directory, "mosquitto.conf"));
        _process?.Dispose();
        var process = _process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var port in new[] { Port, TlsPort })
        {
            while (!await AcceptsAsync(port))
            {
                if (process.HasExited || timeout.IsCancellationRequested)
                {
                    throw new InvalidOperationException($"mosquitto did not start listening on {port}:{Environment.NewLine}{OutputText()}");
                }

                await Task.Delay(20);
            }
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Log(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private string OutputText()
    {
        lock (_output) return _output.ToString();
    }
}
