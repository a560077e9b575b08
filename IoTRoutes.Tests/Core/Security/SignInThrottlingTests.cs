using IoTRoutes.Core;
using IoTRoutes.Core.Security;
using IoTRoutes.Core.Storage;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Security;

/// <summary>Sign-in through <see cref="UserAccountService"/> on a real SQLite database, with the throttle's clock in hand.</summary>
public sealed class SignInThrottlingTests : IAsyncLifetime
{
    private const string Owner = "owner@example.com";
    private const string Password = "right-password";
    private const string Attacker = "203.0.113.9";
    private const string OwnerAddress = "198.51.100.7";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));
    private readonly CountingHasher _hasher = new();
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
        services.AddSingleton<IPasswordHasher<User>>(_hasher);
        services.Configure<IoTRoutesOptions>(o => o.DataDirectory = Path.GetTempPath());
        services.Configure<IoTRoutes.Core.Security.LockoutOptions>(o =>
        {
            o.MaxFailedAttempts = 3;
            o.LockoutMinutes = 10;
            o.AddressFreeFailures = 6;
            o.AccountFreeFailures = 1_000; // the account's tarpit has its own tests on the throttle
        });
        _services = services.BuildServiceProvider();
        _scope = _services.CreateScope();
        _accounts = _scope.ServiceProvider.GetRequiredService<UserAccountService>();
        var bootstrapper = new AdminBootstrapper(_db, Options.Create(new AdminOptions { Email = Owner, Password = Password }),
            _services.GetRequiredService<IServiceScopeFactory>(), _clock, NullLogger<AdminBootstrapper>.Instance) { Console = new StringWriter() };
        await bootstrapper.StartAsync(default);
    }

    public async Task DisposeAsync()
    {
        _scope.Dispose();
        await _services.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Wrong_passwords_from_one_address_lock_that_address_out_and_the_owner_still_signs_in_from_elsewhere()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(CredentialCheck.Invalid, (await SignInAsync(Owner, "guess-" + i, Attacker)).Outcome);
        }

        var refused = await SignInAsync(Owner, Password, Attacker);
        Assert.Equal(CredentialCheck.Throttled, refused.Outcome);
        Assert.Equal(TimeSpan.FromMinutes(10), refused.RetryAfter);
        Assert.Contains("Try again in 10 minutes", refused.Message);

        Assert.Equal(CredentialCheck.Valid, (await SignInAsync(Owner, Password, OwnerAddress)).Outcome);

        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(CredentialCheck.Valid, (await SignInAsync(Owner, Password, Attacker)).Outcome);
    }

    [Fact]
    public async Task An_unknown_e_mail_address_answers_and_is_throttled_exactly_like_a_known_one()
    {
        var known = new List<string>();
        var unknown = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            known.Add(Describe(await SignInAsync(Owner, "guess-" + i, Attacker)));
            unknown.Add(Describe(await SignInAsync("nobody@example.com", "guess-" + i, Attacker)));
        }

        Assert.Equal(known, unknown);
        Assert.Equal(["Invalid", "Invalid", "Invalid", "Throttled 600", "Throttled 600"], known);
    }

    [Fact]
    public async Task An_unknown_e_mail_address_takes_the_path_of_a_wrong_password_one_hash_verified_and_the_account_untouched()
    {
        var before = await ReadOwnerAsync();

        await SignInAsync("nobody@example.com", "a-guess", Attacker);
        var unknownVerifications = _hasher.TakeVerifications();
        await SignInAsync(Owner, "a-guess", Attacker);
        var knownVerifications = _hasher.TakeVerifications();

        Assert.Equal(1, unknownVerifications);
        Assert.Equal(knownVerifications, unknownVerifications);
        Assert.Equal(before, await ReadOwnerAsync());
    }

    [Fact]
    public async Task An_address_failing_on_many_accounts_waits_longer_and_longer_between_attempts()
    {
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(CredentialCheck.Invalid, (await SignInAsync($"user{i}@example.com", "guess", Attacker)).Outcome);
        }

        Assert.Equal(TimeSpan.FromSeconds(1), (await SignInAsync("user7@example.com", "guess", Attacker)).RetryAfter);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CredentialCheck.Invalid, (await SignInAsync("user8@example.com", "guess", Attacker)).Outcome);
        Assert.Equal(TimeSpan.FromSeconds(2), (await SignInAsync("user9@example.com", "guess", Attacker)).RetryAfter);

        Assert.Equal(CredentialCheck.Valid, (await SignInAsync(Owner, Password, OwnerAddress)).Outcome);
    }

    [Fact]
    public async Task Resetting_a_password_forgets_the_failures_counted_against_the_account()
    {
        for (var i = 0; i < 3; i++)
        {
            await SignInAsync(Owner, "guess-" + i, Attacker);
        }

        var throttle = _services.GetRequiredService<IoTRoutes.Core.Security.SignIn.SignInThrottle>();
        Assert.Equal(3, throttle.RecentFailures(IoTRoutes.Core.Security.SignIn.SignInSource.AccountKey(Owner)));

        throttle.Forget(IoTRoutes.Core.Security.SignIn.SignInSource.AccountKey(Owner));

        Assert.Equal(0, throttle.RecentFailures(IoTRoutes.Core.Security.SignIn.SignInSource.AccountKey(Owner)));
        Assert.Equal(CredentialCheck.Valid, (await SignInAsync(Owner, Password, Attacker)).Outcome);
    }

    [Fact]
    public async Task An_over_long_e_mail_or_password_is_refused_at_once_and_counted_nowhere()
    {
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(CredentialCheck.Invalid, (await SignInAsync(new string('a', 300) + i + "@example.com", "x", Attacker)).Outcome);
            Assert.Equal(CredentialCheck.Invalid, (await SignInAsync(Owner, new string('p', 200), Attacker)).Outcome);
        }

        Assert.Equal(0, _hasher.TakeVerifications());
        Assert.Equal(CredentialCheck.Valid, (await SignInAsync(Owner, Password, Attacker)).Outcome);
    }

    private Task<CredentialResult> SignInAsync(string email, string password, string from) =>
        _accounts.CheckCredentialsAsync(email, password, from, default);

    private static string Describe(CredentialResult r) =>
        r.RetryAfter is { } wait ? $"{r.Outcome} {wait.TotalSeconds}" : $"{r.Outcome}" + (r.Message.Contains("wrong") ? "" : " " + r.Message);

    private async Task<string> ReadOwnerAsync()
    {
        await using var db = _db.CreateDbContext();
        var u = await db.Users.AsNoTracking().SingleAsync(x => x.Email == Owner);
        return $"{u.AccessFailedCount} {u.LockoutEnd} {u.SecurityStamp} {u.PasswordHash} {u.LastSignInAt}";
    }

    /// <summary>Identity's own hasher, counting the hashes it verifies.</summary>
    private sealed class CountingHasher : IPasswordHasher<User>
    {
        private readonly PasswordHasher<User> _inner = new();
        private int _verifications;

        public int TakeVerifications() => Interlocked.Exchange(ref _verifications, 0);

        public string HashPassword(User user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
