using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MQTTnet.Server;

namespace IoTRoutes.Bench;

/// <summary>
/// The baseline: an MQTTnet server with nothing around it (no authentication, no storage), in a process of its own
/// like IoTRoutes (this program started again with <c>--serve-bare PORT</c>), with the runtime settings IoTRoutes runs
/// with (server GC, no dynamic PGO, no call-counting delay), so the two differ only in what the platform adds; its CPU is read the same way.
/// </summary>
public sealed class BareBroker : IAsyncDisposable
{
    private Process? _process;

    public int Port { get; } = IoTRoutesProcess.FreePort();

    public TimeSpan CpuTime
    {
        get
        {
            _process!.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public async Task StartAsync()
    {
        var self = typeof(BareBroker).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [self, "--serve-bare", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_gcServer"] = "1";
        start.Environment["DOTNET_TieredPGO"] = "0";
        start.Environment["DOTNET_TC_CallCountingDelayMs"] = "0";
        _process = Process.Start(start)!;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException("The bare MQTTnet server did not start.");
    }

    /// <summary>The child process: serves until its standard input closes (the harness ends or disposes it).</summary>
    public static async Task ServeAsync(int port)
    {
        var options = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None).WithDefaultEndpointPort(port).Build();
        using var server = new MqttServerFactory().CreateMqttServer(options);
        await server.StartAsync();
        await Console.In.ReadToEndAsync();
        await server.StopAsync(new MqttServerStopOptions());
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(5000))
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
