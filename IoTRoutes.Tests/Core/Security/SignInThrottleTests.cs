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
        throttle.Admit("198.51.100.7", Account);
        throttle.Succeeded("198.51.100.7", Account);

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
    public void Failures_are_forgotten_after_a_quiet_period()
    {
        var throttle = Create(o => o.ForgetAfterMinutes = 30);
        for (var i = 1; i <= 5; i++) throttle.Admit($"203.0.113.{i}", Account);
        Assert.Equal(5, throttle.RecentFailures(Account));

        _clock.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal(0, throttle.RecentFailures(Account));
    }

    [Fact]
    public void A_flood_of_new_keys_is_held_within_the_capacity()
    {
        var counters = new BoundedCounters<string>();
        var now = _clock.GetUtcNow();

        for (var i = 0; i < BoundedCounters<string>.Capacity * 3; i++)
        {
            counters.Get("key" + i, now.AddTicks(i), TimeSpan.FromHours(1)).Count(now.AddTicks(i));
        }

        Assert.InRange(counters.Count, 1, BoundedCounters<string>.Capacity);
        Assert.Equal(1, counters.Peek("key" + (BoundedCounters<string>.Capacity * 3 - 1), now, TimeSpan.FromHours(1)));
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
