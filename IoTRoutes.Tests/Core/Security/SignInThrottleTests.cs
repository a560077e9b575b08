using IoTRoutes.Core.Security;
using IoTRoutes.Core.Security.SignIn;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Security;

public sealed class SignInThrottleTests
{
    private const string Account = "OWNER@EXAMPLE.COM";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));

    private SignInThrottle Create(Action<LockoutOptions>? configure = null)
    {
        var options = new LockoutOptions { AccountFreeFailures = 3, AccountMaxDelayMilliseconds = 1_000 };
        configure?.Invoke(options);
        return new SignInThrottle(new FixedOptions(options), _clock);
    }

    [Fact]
    public void An_account_failing_from_many_addresses_answers_strangers_later_and_later_but_never_refuses_them()
    {
        var throttle = Create();

        var delays = Enumerable.Range(1, 8).Select(i => throttle.Admit($"203.0.113.{i}", Account)).ToList();

        Assert.All(delays, d => Assert.False(d.Refused));
        Assert.Equal([0, 0, 0, 250, 500, 1000, 1000, 1000], delays.Select(d => (int)d.Delay.TotalMilliseconds));
    }

    [Fact]
    public void An_address_the_account_signed_in_from_is_not_slowed_while_the_account_is_under_attack()
    {
        var throttle = Create();
        throttle.Succeeded(throttle.Admit("198.51.100.7", Account).Ticket!);

        for (var i = 1; i <= 10; i++) throttle.Admit($"203.0.113.{i}", Account);

        Assert.Equal(TimeSpan.Zero, throttle.Admit("198.51.100.7", Account).Delay);
        Assert.True(throttle.Admit("203.0.113.99", Account).Delay > TimeSpan.Zero);
    }

    [Fact]
    public void A_burst_of_parallel_attempts_gets_no_more_tries_than_sequential_ones()
    {
        var throttle = Create(o => o.MaxFailedAttempts = 5);

        var admitted = 0;
        Parallel.For(0, 200, _ =>
        {
            if (!throttle.Admit("203.0.113.1", Account).Refused) Interlocked.Increment(ref admitted);
        });

        Assert.Equal(5, admitted);
    }

    [Fact]
    public void Failures_leak_away_one_by_one_so_a_quiet_period_forgets_them()
    {
        var throttle = Create(o => o.ForgetAfterMinutes = 30); // AccountFreeFailures 3: one leaks every 10 minutes
        for (var i = 1; i <= 5; i++) throttle.Admit($"203.0.113.{i}", Account);
        Assert.Equal(5, throttle.RecentFailures(Account));

        _clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(3, throttle.RecentFailures(Account));
        _clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, throttle.RecentFailures(Account));
    }

    [Fact]
    public void A_shared_address_with_steady_sign_ins_and_a_typo_now_and_then_is_never_blocked()
    {
        var throttle = Create(o => (o.AddressFreeFailures, o.ForgetAfterMinutes) = (20, 60)); // one failure leaks every 3 minutes
        for (var round = 0; round < 200; round++)
        {
            var typo = throttle.Admit("198.51.100.1", $"user{round % 7}@EXAMPLE.COM");
            Assert.False(typo.Refused, $"round {round}");
            var right = throttle.Admit("198.51.100.1", $"user{round % 7}@EXAMPLE.COM");
            Assert.False(right.Refused, $"round {round}");
            throttle.Succeeded(right.Ticket!);
            _clock.Advance(TimeSpan.FromMinutes(5));
        }
    }

    [Fact]
    public void A_right_password_takes_back_the_block_its_own_attempt_set()
    {
        var throttle = Create(o => o.AddressFreeFailures = 2);
        throttle.Admit("198.51.100.1", "A@X");
        throttle.Admit("198.51.100.1", "B@X");

        var third = throttle.Admit("198.51.100.1", "C@X"); // over the free failures: the address would wait 1 s
        throttle.Succeeded(third.Ticket!);

        Assert.False(throttle.Admit("198.51.100.1", "D@X").Refused);
    }

    [Fact]
    public void Refused_attempts_create_nothing_and_only_the_first_of_a_block_is_worth_an_audit_entry()
    {
        var throttle = Create(o => o.MaxFailedAttempts = 2);
        throttle.Admit("203.0.113.1", Account);
        throttle.Admit("203.0.113.1", Account);

        var refusals = Enumerable.Range(0, 50).Select(i => throttle.Admit("203.0.113.1", Account)).ToList();

        Assert.All(refusals, r => Assert.True(r.Refused));
        Assert.Equal([true, false], refusals.Take(2).Select(r => r.Report));
        Assert.Single(refusals, r => r.Report);
    }

    [Fact]
    public void An_account_under_attack_runs_its_unfamiliar_attempts_through_one_gate()
    {
        var throttle = Create();
        var admissions = Enumerable.Range(1, 6).Select(i => throttle.Admit($"203.0.113.{i}", Account)).ToList();

        Assert.All(admissions.Take(3), a => Assert.Null(a.Gate));
        Assert.All(admissions.Skip(3), a => Assert.Same(admissions[3].Gate, a.Gate));
        Assert.NotNull(admissions[3].Gate);
    }

    [Fact]
    public void A_flood_of_new_keys_is_held_within_the_capacity_blocked_ones_included()
    {
        var counters = new BoundedCounters<string>(TimeSpan.FromMinutes(3));
        var now = _clock.GetUtcNow();

        for (var i = 0; i < BoundedCounters<string>.Capacity * 3; i++)
        {
            var counter = counters.GetOrAdd("key" + i, now.AddTicks(i));
            counter.Add(1, now.AddTicks(i), counters.Leak);
            counter.BlockedUntil = now.AddHours(1);
        }

        Assert.InRange(counters.Count, 1, BoundedCounters<string>.Capacity);
        Assert.NotNull(counters.Find("key" + (BoundedCounters<string>.Capacity * 3 - 1)));
    }

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::ffff", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1", true)]
    [InlineData("192.0.2.1", "192.0.2.2", false)]
    public void IPv6_addresses_count_by_their_64_bit_prefix(string a, string b, bool same)
    {
        Assert.Equal(same, SignInSource.AddressKey(a) == SignInSource.AddressKey(b));
    }

    [Fact]
    public void Spellings_of_one_e_mail_address_count_as_one_account()
    {
        Assert.Equal(SignInSource.AccountKey(" Owner@Example.com "), SignInSource.AccountKey("owner@example.COM"));
        Assert.Equal(SignInSource.AccountKey("jose\u0301@example.com"), SignInSource.AccountKey("jos\u00e9@example.com"));
    }

    private sealed class FixedOptions(LockoutOptions value) : IOptionsMonitor<LockoutOptions>
    {
        public LockoutOptions CurrentValue => value;
        public LockoutOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<LockoutOptions, string?> listener) => null;
    }
}
