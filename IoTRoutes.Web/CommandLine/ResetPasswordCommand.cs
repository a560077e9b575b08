using IoTRoutes.Core.Security;

namespace IoTRoutes.Web.CommandLine;

/// <summary>
/// <c>reset-password &lt;email&gt; [--password-stdin]</c>: sets a user's password on this server's database and exits,
/// instead of starting the server. Without <c>--password-stdin</c> a one-time password is generated and printed.
/// The other arguments configure the host as usual (e.g. <c>--IoTRoutes:DataDirectory=/srv/iotroutes</c>).
/// </summary>
public sealed class ResetPasswordCommand
{
    public const string Name = "reset-password";
    private const string PasswordStdin = "--password-stdin";
    private const string Usage = $"Usage: IoTRoutes.Web {Name} <email> [{PasswordStdin}] [host settings such as --IoTRoutes:DataDirectory=<folder>]";

    private ResetPasswordCommand(string? email, bool passwordFromStdin, string[] hostArgs)
    {
        Email = email;
        PasswordFromStdin = passwordFromStdin;
        HostArgs = hostArgs;
    }

    public string? Email { get; }

    public bool PasswordFromStdin { get; }

    /// <summary>The arguments left for the host's configuration.</summary>
    public string[] HostArgs { get; }

    /// <summary>The command when the first argument names it; null to start the server.</summary>
    public static ResetPasswordCommand? FromArgs(string[] args)
    {
        if (args is not [Name, .. var rest])
        {
            return null;
        }

        var email = rest is [var first, ..] && !first.StartsWith('-') ? first : null;
        var options = email is null ? rest : rest[1..];
        var fromStdin = options.Contains(PasswordStdin);
        return new ResetPasswordCommand(email, fromStdin, options.Where(a => a != PasswordStdin).ToArray());
    }

    /// <returns>The process exit code: 0 done, 1 refused, 2 bad usage.</returns>
    public async Task<int> RunAsync(IServiceProvider services, TextReader input, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Email))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        string? password = null;
        if (PasswordFromStdin && (password = await input.ReadLineAsync(ct)) is null)
        {
            await error.WriteLineAsync($"{PasswordStdin}: write the new password on the standard input, on one line.");
            return 2;
        }

        var result = await services.GetRequiredService<OfflinePasswordReset>().ResetAsync(Email, password, ct);
        if (!result.Succeeded)
        {
            await error.WriteLineAsync($"The password was not changed: {result.Problem}");
            return 1;
        }

        await output.WriteLineAsync($"The password of {Email.Trim()} is reset; its sessions are signed out.");
        if (result.Password is { } generated)
        {
            await output.WriteLineAsync($" One-time password: {generated}");
            await output.WriteLineAsync(" You will be asked to change it at the next sign-in.");
        }

        if (result.IsDisabled)
        {
            await output.WriteLineAsync("The account is disabled: another administrator enables it on the Users page.");
        }

        return 0;
    }
}
