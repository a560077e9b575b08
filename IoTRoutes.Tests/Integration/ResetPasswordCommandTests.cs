using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Web.CommandLine;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Tests.Integration;

public sealed class ResetPasswordCommandTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task The_server_binary_sets_the_password_read_from_stdin_on_the_same_data_directory_and_exits()
    {
        var email = (await _app.CreateUserAsync(IoTRoutes.Core.Entities.RootEntity.Id)).Email;
        const string chosen = "a-new-long-password";

        var (exitCode, output) = await RunServerAsync(chosen + "\n", "reset-password", email, "--password-stdin",
            $"--IoTRoutes:DataDirectory={_app.DataDirectory}");

        Assert.True(exitCode == 0, output);
        Assert.Contains($"The password of {email} is reset", output);
        Assert.DoesNotContain("One-time password", output);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(email, chosen)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(email, "user-password-1")).StatusCode);
    }

    [Fact]
    public async Task Without_a_password_it_prints_a_one_time_password_that_must_be_changed_at_sign_in_and_audits_it()
    {
        var email = (await _app.CreateUserAsync(IoTRoutes.Core.Entities.RootEntity.Id)).Email;
        var (output, error) = (new StringWriter(), new StringWriter());

        var exitCode = await ResetPasswordCommand.FromArgs(["reset-password", email])!.RunAsync(_app.Services, TextReader.Null, output, error, default);

        Assert.True(exitCode == 0, error.ToString());
        var password = output.ToString().Split('\n').Single(l => l.Contains("One-time password:")).Split(':')[1].Trim();
        var signIn = await SignInAsync(email, password);
        Assert.Equal(HttpStatusCode.Forbidden, signIn.StatusCode); // the password is right; it must be changed first
        Assert.Contains("change it", await signIn.Content.ReadAsStringAsync());
        await using var db = await _app.CreateDbContextAsync();
        var entry = await db.AuditEntries.IgnoreQueryFilters().SingleAsync(e => e.Target == email && e.Action == AuditActions.UserPasswordReset);
        Assert.StartsWith("command line", entry.UserEmail);
    }

    [Theory]
    [InlineData("nobody@test.local", "a-long-enough-one", 1, "No user has the e-mail address nobody@test.local")]
    [InlineData(IoTRoutesApp.AdminEmail, "short", 1, "at least 10 characters")]
    [InlineData(null, null, 2, "Usage:")]
    public async Task A_bad_request_changes_nothing_and_says_why(string? email, string? password, int expectedExit, string expectedText)
    {
        var args = new List<string> { "reset-password" };
        if (email is not null) args.Add(email);
        if (password is not null) args.Add("--password-stdin");
        var error = new StringWriter();

        var exitCode = await ResetPasswordCommand.FromArgs([.. args])!.RunAsync(
            _app.Services, new StringReader(password + "\n"), TextWriter.Null, error, default);

        Assert.Equal(expectedExit, exitCode);
        Assert.Contains(expectedText, error.ToString());
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(IoTRoutesApp.AdminEmail, IoTRoutesApp.AdminPassword)).StatusCode);
    }

    private async Task<HttpResponseMessage> SignInAsync(string email, string password)
    {
        using var client = _app.CreateClient();
        return await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password });
    }

    private static async Task<(int ExitCode, string Output)> RunServerAsync(string stdin, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
