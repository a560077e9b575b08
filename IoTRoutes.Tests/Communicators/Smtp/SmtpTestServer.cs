using System.Diagnostics;
using IoTRoutes.Tests.Infrastructure;
using MimeKit;

namespace IoTRoutes.Tests.Communicators.Smtp;

public enum SmtpTestMode
{
    Plain,
    StartTls,
    Ssl,
}

/// <summary>
/// A real SMTP server for one test: Debian's aiosmtpd run by <c>smtp_test_server.py</c> on 127.0.0.1 and a free port,
/// keeping received mails as .eml files in a temp directory. Stopped by closing its standard input.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly Process _process;

    private SmtpTestServer(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    /// <summary>Lines "LOGIN ok", "PLAIN refused": each authentication attempt the server saw.</summary>
    public IReadOnlyList<string> AuthenticationAttempts =>
        File.Exists(Path.Combine(Directory, "auth.log")) ? File.ReadAllLines(Path.Combine(Directory, "auth.log")) : [];

    public static async Task<SmtpTestServer> StartAsync(SmtpTestMode mode = SmtpTestMode.Plain, TestCertificates? certificates = null,
        string? user = null, string? password = null, string? excludeAuthentication = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("iotroutes-smtp-").FullName;
        var port = FreePort.Next();
        // Debian's python3, where python3-aiosmtpd installs, before any other on the PATH.
        var start = new ProcessStartInfo(File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Communicators", "Smtp", "smtp_test_server.py"), "--port", port.ToString(), "--dir", directory, "--mode", mode.ToString().ToLowerInvariant() })
            start.ArgumentList.Add(argument);
        if (user is not null) AddAll(start, "--user", user, "--password", password ?? "");
        if (excludeAuthentication is not null) AddAll(start, "--exclude-auth", excludeAuthentication);
        if (mode != SmtpTestMode.Plain)
        {
            var (certificateFile, keyFile) = certificates!.WriteServerPem(directory);
            AddAll(start, "--cert", certificateFile, "--key", keyFile);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"python3 could not be started ({e.Message}): apt-get install python3-aiosmtpd.", e);
        }

        var server = new SmtpTestServer(process, port, directory);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line != "ready")
        {
            var error = await process.StandardError.ReadToEndAsync(timeout.Token);
            await server.DisposeAsync();
            throw new InvalidOperationException(
                $"The test SMTP server did not start ({error.Trim()}). It needs the Debian package python3-aiosmtpd: apt-get install python3-aiosmtpd.");
        }

        return server;
    }

    /// <summary>The mails received so far, parsed.</summary>
    public IReadOnlyList<MimeMessage> Received() =>
        [.. System.IO.Directory.GetFiles(Directory, "*.eml").Select(file => MimeMessage.Load(file))];

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static void AddAll(ProcessStartInfo start, params string[] arguments)
    {
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
    }
}
