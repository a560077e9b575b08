using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Security.SignIn;

/// <summary>What the throttle lets a sign-in attempt do.</summary>
/// <param name="RetryAfter">Set when the attempt is refused without looking at the password.</param>
/// <param name="Delay">How long to hold the answer of an admitted attempt (an account under attack).</param>
public readonly record struct SignInAdmission(TimeSpan? RetryAfter, TimeSpan Delay)
{
    public bool Refused => RetryAfter is not null;
}

/// <summary>
/// Counts sign-in attempts by source address, by account, and by the pair, and decides whether the next one may be
/// checked. Three rules, none of which can keep an account's owner out from where they usually sign in:
/// <list type="bullet">
/// <item>An address that keeps failing on one account is locked out of that account only (source-scoped lockout).</item>
/// <item>An address that keeps failing on any accounts waits longer and longer between attempts (progressive delay).</item>
/// <item>An account failing from many addresses answers late to addresses it never signed in from (a tarpit, never a refusal).</item>
/// </list>
/// An attempt counts as a failure when it is admitted and stops counting when it succeeds, so a burst of parallel
/// attempts cannot slip past the counters before the first answer. State is in memory and bounded.
/// </summary>
public sealed class SignInThrottle(IOptionsMonitor<LockoutOptions> options, TimeProvider clock)
{
    private const int FamiliarAddressesPerAccount = 16;
    private static readonly TimeSpan FirstAccountDelay = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly BoundedCounters<(string Address, string Account)> _pairs = new();
    private readonly BoundedCounters<string> _addresses = new();
    private readonly BoundedCounters<string> _accounts = new();
    private readonly Dictionary<string, List<string>> _familiar = new(StringComparer.Ordinal);

    public SignInAdmission Admit(string address, string account)
    {
        var o = options.CurrentValue;
        var now = clock.GetUtcNow();
        var forget = TimeSpan.FromMinutes(o.ForgetAfterMinutes);
        lock (_gate)
        {
            var pair = _pairs.Get((address, account), now, forget);
            var source = _addresses.Get(address, now, forget);
            var wait = Max(pair.BlockedUntil, source.BlockedUntil) - now;
            if (wait > TimeSpan.Zero)
            {
                return new SignInAdmission(Ceiling(wait), TimeSpan.Zero);
            }

            pair.Count(now);
            if (pair.Failures >= o.MaxFailedAttempts)
            {
                pair.BlockedUntil = now + TimeSpan.FromMinutes(o.LockoutMinutes);
            }

            source.Count(now);
            if (source.Failures > o.AddressFreeFailures)
            {
                source.BlockedUntil = now + Doubling(TimeSpan.FromSeconds(1), source.Failures - o.AddressFreeFailures - 1,
                    TimeSpan.FromSeconds(o.AddressMaxDelaySeconds));
            }

            if (IsFamiliar(account, address))
            {
                return new SignInAdmission(null, TimeSpan.Zero);
            }

            var target = _accounts.Get(account, now, forget);
            target.Count(now);
            var delay = target.Failures > o.AccountFreeFailures
                ? Doubling(FirstAccountDelay, target.Failures - o.AccountFreeFailures - 1, TimeSpan.FromMilliseconds(o.AccountMaxDelayMilliseconds))
                : TimeSpan.Zero;
            return new SignInAdmission(null, delay);
        }
    }

    /// <summary>The password was right: the attempt is no failure, and the address becomes familiar to the account.</summary>
    public void Succeeded(string address, string account)
    {
        lock (_gate)
        {
            _pairs.Remove((address, account));
            _addresses.Refund(address);
            if (!IsFamiliar(account, address))
            {
                _accounts.Refund(account);
                var familiar = FamiliarAddresses(account);
                if (familiar.Count == FamiliarAddressesPerAccount) familiar.RemoveAt(0);
                familiar.Add(address);
            }
        }
    }

    /// <summary>Forgets every failure counted against an account (an administrator reset its password).</summary>
    public void Forget(string account)
    {
        lock (_gate)
        {
            _accounts.Remove(account);
            _pairs.RemoveWhere(k => k.Account == account);
        }
    }

    /// <summary>Failed attempts counted against the account and not yet forgotten, from addresses it never signed in from.</summary>
    public int RecentFailures(string account)
    {
        var now = clock.GetUtcNow();
        var forget = TimeSpan.FromMinutes(options.CurrentValue.ForgetAfterMinutes);
        lock (_gate)
        {
            return _accounts.Peek(account, now, forget);
        }
    }

    private bool IsFamiliar(string account, string address) =>
        _familiar.TryGetValue(account, out var addresses) && addresses.Contains(address);

    private List<string> FamiliarAddresses(string account)
    {
        if (!_familiar.TryGetValue(account, out var addresses))
        {
            if (_familiar.Count >= BoundedCounters<string>.Capacity) _familiar.Clear();
            _familiar[account] = addresses = [];
        }

        return addresses;
    }

    private static TimeSpan Doubling(TimeSpan first, int doublings, TimeSpan cap) =>
        doublings >= 30 ? cap : TimeSpan.FromTicks(Math.Min(first.Ticks << doublings, cap.Ticks));

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static TimeSpan Ceiling(TimeSpan wait) => TimeSpan.FromSeconds(Math.Ceiling(wait.TotalSeconds));
}
