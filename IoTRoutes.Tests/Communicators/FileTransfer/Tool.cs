using System.Diagnostics;

namespace IoTRoutes.Tests.Communicators.FileTransfer;

/// <summary>Runs a system tool (useradd, chpasswd, ssh-keygen...) to its end, failing the test when it fails.</summary>
internal static class Tool
{
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {output}{await stderr}");
        return output;
    }

    /// <summary>Fails with the Debian package to install when <paramref name="path"/> is missing.</summary>
    public static void Require(string path, string package)
    {
        Assert.True(File.Exists(path), $"{path} is missing: these tests need the Debian package '{package}' (apt-get install {package}; test.sh installs it).");
        Assert.True(Environment.IsPrivilegedProcess,
            $"These tests start {path} on loopback and need root (as test.sh and CI run): it checks passwords of a local account.");
    }
}
