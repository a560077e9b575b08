using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace IoTRoutes.Bench;

/// <summary>IoTRoutes as a child process on its own data folder and ports, so its CPU and memory can be read and it can be killed.</summary>
public sealed class IoTRoutesProcess : IAsyncDisposable
{
    private readonly BenchOptions _options;
    private Process? _process;

    /// <param name="connectionString">
    /// For a server database: by default a fresh database per process (the broker's ports are stored in the database, and
    /// every run starts from nothing); a restart passes the killed process's <see cref="ConnectionString"/>.
    /// </param>
    public IoTRoutesProcess(BenchOptions options, string dataDirectory, string? connectionString = null)
    {
        _options = options;
        DataDirectory = dataDirectory;
        ConnectionString = connectionString ?? FreshDatabase(options.ConnectionString);
        HttpPort = FreePort();
        MqttPort = FreePort();
    }

    private IoTRoutesProcess(BenchOptions options)
    {
        _options = options;
        DataDirectory = "";
        _attachedUrl = options.Url!.TrimEnd('/');
        MqttPort = options.MqttPort;
        if (options.Pid > 0)
        {
            _process = Process.GetProcessById(options.Pid);
        }
    }

    /// <summary>An IoTRoutes that is already running (<c>--url</c>); CPU and memory are read only with <c>--pid</c>.</summary>
    public static IoTRoutesProcess Attach(BenchOptions options) => new(options);

    private readonly string? _attachedUrl;

    public bool Attached => _attachedUrl is not null;

    public string DataDirectory { get; }
    public string? ConnectionString { get; }
    public int HttpPort { get; }
    public int MqttPort { get; }
    public string Url => _attachedUrl ?? $"http://127.0.0.1:{HttpPort}";
    public int Pid => _process?.Id ?? 0;

    public async Task StartAsync()
    {
        if (Attached)
        {
            return;
        }

        var dll = Path.GetFullPath(_options.AppDll);
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build IoTRoutes first (dotnet build -c Release): {dll} is missing.");
        }

        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_URLS"] = Url,
                ["IoTRoutes__DataDirectory"] = DataDirectory,
                ["IoTRoutes__Admin__Email"] = _options.Email,
                ["IoTRoutes__Admin__Password"] = _options.Password,
                ["IoTRoutes__DefaultBroker__Port"] = MqttPort.ToString(),
                ["IoTRoutes__DefaultBroker__TlsPort"] = "0",
                ["IoTRoutes__DefaultBroker__BindAddress"] = "127.0.0.1",
                ["IoTRoutes__DefaultBroker__MaxConnectAttemptsPerMinute"] = "1000000",
                ["IoTRoutes__Database__Provider"] = _options.Database,
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        if (ConnectionString is { } cs)
        {
            start.Environment["ConnectionStrings__IoTRoutes"] = cs;
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[iotroutes] {e.Data}"); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 240; attempt++)
        {
            try
            {
                if ((await http.GetAsync($"{Url}/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"IoTRoutes exited with {_process.ExitCode} while starting.");
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("IoTRoutes did not become healthy within a minute.");
    }

    /// <summary>CPU time used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            if (_process is null)
            {
                return TimeSpan.Zero;
            }

            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Resident memory now and at its peak (Linux /proc VmRSS, VmHWM), in bytes.</summary>
    public (long Resident, long Peak) Memory()
    {
        if (_process is null)
        {
            return (0, 0);
        }

        long Read(string key) => File.ReadLines($"/proc/{Pid}/status").Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024).FirstOrDefault();
        return (Read("VmRSS:"), Read("VmHWM:"));
    }

    /// <summary>SIGKILL: no shutdown, no draining, exactly as a crash or an OOM kill.</summary>
    public void Kill()
    {
        if (Attached)
        {
            throw new InvalidOperationException("The kill mode starts its own IoTRoutes; it does not kill one it attached to.");
        }

        _process!.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!Attached && _process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private static string? FreshDatabase(string? connectionString)
    {
        if (connectionString is null)
        {
            return null;
        }

        var suffix = Guid.NewGuid().ToString("N")[..8];
        var named = System.Text.RegularExpressions.Regex.Replace(connectionString, @"(?i)(Database\s*=\s*)([^;]+)", m => $"{m.Groups[1].Value}{m.Groups[2].Value}_{suffix}");
        return named != connectionString ? named : $"{connectionString.TrimEnd(';')};Database=iotroutes_bench_{suffix}";
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
