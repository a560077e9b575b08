using IoTRoutes.Core;
using IoTRoutes.Core.Security;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IoTRoutes.Tests.Core.Security;

public sealed class TokenAndAccountTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"iotroutes-sec-{Guid.NewGuid():N}");
    private SqliteContexts _db = null!;
    private ServiceProvider _services = null!;
    private IServiceScope _scope = null!;
    private UserAccountService _accounts = null!;

    public async Task InitializeAsync()
    {
        _db = await SqliteContexts.CreateAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<IDbContextFactory<AppDbContext>>(_db);
        services.AddSecurity();
        services.Configure<IoTRoutesOptions>(o => o.DataDirectory = _dataDirectory);
        _services = services.BuildServiceProvider();
        _scope = _services.CreateScope();
        _accounts = _scope.ServiceProvider.GetRequiredService<UserAccountService>();
    }

    public async Task DisposeAsync()
    {
        _scope.Dispose();
        await _services.DisposeAsync();
        await _db.DisposeAsync();
        if (Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, true);
    }

    [Fact]
    public async Task Without_a_configured_password_the_administrator_gets_a_generated_one_that_must_be_changed()
    {
        var output = await BootstrapAsync(new AdminOptions { Email = "root@example.com" });

        var printed = System.Text.RegularExpressions.Regex.Match(output, @"One-time password:\s+(\S+)").Groups[1].Value;
        Assert.Equal(16, printed.Length);
        var signIn = await _accounts.CheckCredentialsAsync("root@example.com", printed, null, default);
        Assert.True(signIn.User!.MustChangePassword);

        var changed = await _accounts.ChangePasswordAsync(signIn.User.Id, printed, "a-brand-new-password", null, default);
        Assert.True(changed.Succeeded, changed.Error);
        Assert.False((await _accounts.CheckCredentialsAsync("root@example.com", "a-brand-new-password", null, default)).User!.MustChangePassword);
        Assert.Null((await _accounts.CheckCredentialsAsync("root@example.com", printed, null, default)).User);
    }

    [Fact]
    public async Task A_configured_password_is_used_as_is_and_never_printed()
    {
        var output = await BootstrapAsync(new AdminOptions { Email = "ops@example.com", Password = "configured-pass" });

        Assert.DoesNotContain("configured-pass", output);
        var signIn = await _accounts.CheckCredentialsAsync("ops@example.com", "configured-pass", null, default);
        Assert.False(signIn.User!.MustChangePassword);
    }

    [Fact]
    public async Task The_administrator_is_created_only_on_an_empty_database()
    {
        await BootstrapAsync(new AdminOptions { Email = "first@example.com", Password = "first-password" });
        await BootstrapAsync(new AdminOptions { Email = "second@example.com", Password = "second-password" });

        Assert.NotNull((await _accounts.CheckCredentialsAsync("first@example.com", "first-password", null, default)).User);
        Assert.Null((await _accounts.CheckCredentialsAsync("second@example.com", "second-password", null, default)).User);
    }

    [Theory]
    [InlineData("wrong-current", "a-new-password-1", "The current password is wrong.")]
    [InlineData("admin-password", "short", "A password needs at least 10 characters.")]
    [InlineData("admin-password", "admin-password", "Choose a password different from the current one.")]
    public async Task A_password_change_explains_why_it_is_refused(string current, string next, string error)
    {
        await BootstrapAsync(new AdminOptions { Email = "a@example.com", Password = "admin-password" });
        var user = (await _accounts.CheckCredentialsAsync("a@example.com", "admin-password", null, default)).User!;

        var result = await _accounts.ChangePasswordAsync(user.Id, current, next, null, default);

        Assert.Equal(error, result.Error);
    }

    [Fact]
    public async Task Access_tokens_are_signed_short_lived_and_carry_the_user()
    {
        await BootstrapAsync(new AdminOptions { Email = "api@example.com", Password = "api-password" });
        var tokens = CreateTokenService();

        var pair = (await tokens.IssueAsync("api@example.com", "api-password", null, default)).Tokens!;

        var handler = new JsonWebTokenHandler();
        var validation = await handler.ValidateTokenAsync(pair.AccessToken, new TokenValidationParameters
        {
            ValidIssuer = "IoTRoutes", ValidAudience = "IoTRoutes.Api", IssuerSigningKey = _signingKey!.Key,
            LifetimeValidator = (_, _, _, _) => true,
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.Equal("api@example.com", validation.Claims["email"]);
        var jwt = handler.ReadJsonWebToken(pair.AccessToken);
        Assert.Equal(TimeSpan.FromMinutes(10), jwt.ValidTo - jwt.IssuedAt);
        Assert.Equal(600, pair.ExpiresIn);
    }

    [Fact]
    public async Task A_user_with_a_generated_password_gets_no_api_token_until_it_is_changed()
    {
        var output = await BootstrapAsync(new AdminOptions { Email = "gen@example.com" });
        var printed = System.Text.RegularExpressions.Regex.Match(output, @"One-time password:\s+(\S+)").Groups[1].Value;
        var tokens = CreateTokenService();

        Assert.Equal(TokenFailure.PasswordChangeRequired, (await tokens.IssueAsync("gen@example.com", printed, null, default)).Failure);
        Assert.Equal(TokenFailure.InvalidCredentials, (await tokens.IssueAsync("gen@example.com", "a-wrong-password", null, default)).Failure);
    }

    [Fact]
    public void The_generated_signing_key_is_kept_in_the_data_directory_across_restarts()
    {
        var jwt = Options.Create(new JwtOptions());
        var app = Options.Create(new IoTRoutesOptions { DataDirectory = _dataDirectory });

        var first = new SigningKeyProvider(jwt, app).Key.Key;
        var second = new SigningKeyProvider(jwt, app).Key.Key;

        Assert.Equal(64, first.Length);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Of_two_concurrent_refreshes_with_one_token_only_one_succeeds()
    {
        await BootstrapAsync(new AdminOptions { Email = "c@example.com", Password = "concurrent-pass" });
        var tokens = CreateTokenService();
        var pair = (await tokens.IssueAsync("c@example.com", "concurrent-pass", null, default)).Tokens!;

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => tokens.RefreshAsync(pair.RefreshToken, default))));

        Assert.Single(results, r => r.Tokens is not null);
        Assert.All(results.Where(r => r.Tokens is null), r => Assert.Equal(TokenFailure.InvalidRefreshToken, r.Failure));
    }

    [Fact]
    public async Task Changing_the_password_revokes_the_refresh_tokens_of_the_account()
    {
        await BootstrapAsync(new AdminOptions { Email = "p@example.com", Password = "old-password-1" });
        var tokens = CreateTokenService();
        var pair = (await tokens.IssueAsync("p@example.com", "old-password-1", null, default)).Tokens!;
        var user = (await _accounts.CheckCredentialsAsync("p@example.com", "old-password-1", null, default)).User!;

        Assert.True((await _accounts.ChangePasswordAsync(user.Id, "old-password-1", "new-password-2", null, default)).Succeeded);

        Assert.Equal(TokenFailure.InvalidRefreshToken, (await tokens.RefreshAsync(pair.RefreshToken, default)).Failure);
    }

    [Fact]
    public async Task A_refresh_token_stops_working_after_its_lifetime()
    {
        await BootstrapAsync(new AdminOptions { Email = "r@example.com", Password = "refresh-password" });
        var tokens = CreateTokenService();
        var pair = (await tokens.IssueAsync("r@example.com", "refresh-password", null, default)).Tokens!;

        _clock.Advance(TimeSpan.FromDays(14) + TimeSpan.FromSeconds(1));

        Assert.Equal(TokenFailure.InvalidRefreshToken, (await tokens.RefreshAsync(pair.RefreshToken, default)).Failure);
    }

    private SigningKeyProvider? _signingKey;

    private TokenService CreateTokenService()
    {
        _signingKey = _services.GetRequiredService<SigningKeyProvider>();
        return _scope.ServiceProvider.GetRequiredService<TokenService>();
    }

    private async Task<string> BootstrapAsync(AdminOptions options)
    {
        var bootstrapper = new AdminBootstrapper(_db, Options.Create(options), _services.GetRequiredService<IServiceScopeFactory>(), _clock, NullLogger<AdminBootstrapper>.Instance)
        {
            Console = new StringWriter(),
        };
        await bootstrapper.StartAsync(default);
        return bootstrapper.Console.ToString()!;
    }
}
