using System.Security.Cryptography;

namespace IoTRoutes.Tests.Communicators.FileTransfer;

/// <summary>
/// The local account vsftpd and sshd log the tests in as: both check a real system user's password. Created once if
/// missing (a system account, home "/" and no files of its own, shell /bin/sh because vsftpd's PAM service admits only
/// shells listed in /etc/shells), with a random password made once per machine and kept in a root-only file, so that
/// two test processes at once (a developer's and CI's) do not change it under each other. Its files live in each
/// server's temporary directory.
/// </summary>
public sealed record TestAccount(string Name, string Password)
{
    public const string UserName = "iotroutes-transfer";

    private static readonly Lazy<Task<TestAccount>> Shared = new(CreateAsync);

    public static Task<TestAccount> GetAsync() => Shared.Value;

    /// <summary>A directory the account owns, for a server's files, under a new temporary directory.</summary>
    public async Task<string> CreateDirectoryAsync(string parent, string name)
    {
        var path = Path.Combine(parent, name);
        Directory.CreateDirectory(path);
        await Tool.RunAsync("chown", [$"{Name}:", path]);
        return path;
    }

    private static async Task<TestAccount> CreateAsync()
    {
        // vsftpd changes to the home directory before its local_root: the home must exist, and "/" always does.
        var exists = File.ReadLines("/etc/passwd").Any(line => line.StartsWith(UserName + ":", StringComparison.Ordinal));
        await Tool.RunAsync(exists ? "usermod" : "useradd",
            exists ? ["--home", "/", "--shell", "/bin/sh", UserName] : ["--system", "--no-create-home", "--home-dir", "/", "--shell", "/bin/sh", UserName]);

        var password = SharedPassword();
        await Tool.RunAsync("chpasswd", [], $"{UserName}:{password}\n");
        return new TestAccount(UserName, password);
    }

    private static string SharedPassword()
    {
        var file = Path.Combine(Path.GetTempPath(), "iotroutes-transfer-account.password");
        var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('/', '-').Replace('+', '_');
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var created = new FileStream(file, options);
            created.Write(System.Text.Encoding.ASCII.GetBytes(fresh));
            return fresh;
        }
        catch (IOException) when (File.Exists(file))
        {
            for (var attempt = 0; ; attempt++) // the other process may still be writing it
            {
                var kept = File.ReadAllText(file).Trim();
                if (kept.Length == fresh.Length || attempt == 50) return kept;
                Thread.Sleep(20);
            }
        }
    }
}
