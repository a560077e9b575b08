using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace IoTRoutes.Tests.Communicators.FileTransfer;

/// <summary>A server (vsftpd, sshd) started in the foreground by a fixture, its output kept to explain failures.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

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

    /// <summary>Starts <paramref name="file"/> and waits until <paramref name="port"/> greets with a line starting with <paramref name="greeting"/>.</summary>
    public static async Task<ServerProcess> StartAsync(string file, IEnumerable<string> arguments, int port, string greeting)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var server = new ServerProcess(new Process { StartInfo = start });
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await server.GreetsAsync(port, greeting))
        {
            if (server._process.HasExited || deadline.IsCancellationRequested)
            {
                var output = server.Output;
                await server.DisposeAsync();
                Assert.Fail($"{file} did not start on 127.0.0.1:{port}: {output}");
            }

            await Task.Delay(50);
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task<bool> GreetsAsync(int port, string greeting)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            using var reader = new StreamReader(client.GetStream());
            var line = await reader.ReadLineAsync(timeout.Token);
            return line?.StartsWith(greeting, StringComparison.Ordinal) == true;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
