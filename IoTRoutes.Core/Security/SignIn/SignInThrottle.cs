using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Security.SignIn;

/// <summary>What the throttle lets a sign-in attempt do.</summary>
/// <param name="RetryAfter">Set when the attempt is refused without looking at the password.</param>
/// <param name="Report">For a refusal: the first of its block, worth an audit entry (later ones are not written).</param>
/// <param name="Delay">How long to hold the answer of an admitted attempt (an account under attack).</param>
/// <param name="Gate">For an account under attack: taken around the check, so its unfamiliar attempts run one at a time.</param>
/// <param name="Ticket">What the admission counted, to take back if the password is right.</param>
public sealed record SignInAdmission(TimeSpan? RetryAfter, bool Report, TimeSpan Delay, SemaphoreSlim? Gate, SignInTicket? Ticket)
{
    public bool Refused => RetryAfter is not null;
}

/// <summary>One admitted attempt as the throttle counted it.</summary>
public sealed record SignInTicket(string Address, string Account, bool AccountCounted, DateTimeOffset AddressBlockBefore, DateTimeOffset AddressBlockSet);

/// <summary>
/// Counts sign-in attempts by source address, by account, and by the pair, and decides whether the next one may be
/// checked. Three rules, none of which keeps an account's owner out from where they usually sign in:
/// <list type="bullet">
/// <item>An address that keeps failing on one account is locked out of that account only (source-scoped lockout).</item>
/// <item>An address that keeps failing on any accounts waits longer and longer between attempts (progressive delay).</item>
/// <item>An account failing from many addresses answers late to addresses it never signed in from, one at a time (a
/// tarpit); addresses it signed in from before are not slowed.</item>
/// </list>
/// Counts leak (one failure forgotten every so often), so a steady trickle never adds up. An attempt counts when it is
/// admitted and is taken back when its password is right, so a burst of parallel attempts gets no extra tries. Refusals
/// create nothing. State is in memory and bounded.
/// </summary>
public sealed class SignInThrottle
{
    private const int FamiliarAddressesPerAccount = 16;
    private static readonly TimeSpan FirstAccountDelay = TimeSpan.FromMilliseconds(250);

    private readonly IOptionsMonitor<LockoutOptions> _options;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly BoundedCounters<(string Address, string Account)> _pairs;
    private readonly BoundedCounters<string> _addresses;
    private readonly BoundedCounters<string> _accounts;
    private readonly Dictionary<string, List<string>> _familiar = new(StringComparer.Ordinal);

    public SignInThrottle(IOptionsMonitor<LockoutOptions> options, TimeProvider clock)
    {
        (_options, _clock) = (options, clock);
        var o = options.CurrentValue;
        var window = TimeSpan.FromMinutes(o.ForgetAfterMinutes);
        _pairs = new(TimeSpan.FromMinutes(o.LockoutMinutes) / o.MaxFailedAttempts);
        _addresses = new(window / o.AddressFreeFailures);
        _accounts = new(window / o.AccountFreeFailures);
    }

    public SignInAdmission Admit(string address, string account)
    {
        var o = _options.CurrentValue;
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            var pair = _pairs.Find((address, account));
            var source = _addresses.Find(address);
            var blocking = new[] { pair, source }.Where(c => c is not null && c.BlockedUntil > now).MaxBy(c => c!.BlockedUntil);
            if (blocking is not null)
            {
                var report = !blocking.RefusalReported;
                blocking.RefusalReported = true;
                return new SignInAdmission(Ceiling(blocking.BlockedUntil - now), report, TimeSpan.Zero, null, null);
            }

            pair = _pairs.GetOrAdd((address, account), now);
            pair.Add(1, now, _pairs.Leak);
            if (Math.Round(pair.Failures(now, _pairs.Leak)) >= o.MaxFailedAttempts) // a burst; a trickle leaks away
            {
                Block(pair, now + TimeSpan.FromMinutes(o.LockoutMinutes));
            }

            source = _addresses.GetOrAdd(address, now);
            var blockBefore = source.BlockedUntil;
            source.Add(1, now, _addresses.Leak);
            var beyond = (int)Math.Round(source.Failures(now, _addresses.Leak)) - o.AddressFreeFailures;
            if (beyond > 0)
            {
                Block(source, now + Doubling(TimeSpan.FromSeconds(1), beyond - 1, TimeSpan.FromSeconds(o.AddressMaxDelaySeconds)));
            }

            if (IsFamiliar(account, address))
            {
                return new SignInAdmission(null, false, TimeSpan.Zero, null, new(address, account, false, blockBefore, source.BlockedUntil));
            }

            var target = _accounts.GetOrAdd(account, now);
            target.Add(1, now, _accounts.Leak);
            var attack = (int)Math.Round(target.Failures(now, _accounts.Leak)) - o.AccountFreeFailures;
            var delay = attack > 0
                ? Doubling(FirstAccountDelay, attack - 1, TimeSpan.FromMilliseconds(o.AccountMaxDelayMilliseconds))
                : TimeSpan.Zero;
            var gate = attack > 0 ? target.Gate ??= new SemaphoreSlim(1, 1) : null;
            return new SignInAdmission(null, false, delay, gate, new(address, account, true, blockBefore, source.BlockedUntil));
        }
    }

    /// <summary>The password was right: the attempt is taken back, and the address becomes familiar to the account.</summary>
    public void Succeeded(SignInTicket ticket)
    {
        lock (_gate)
        {
            TakeBack(ticket);
            if (!IsFamiliar(ticket.Account, ticket.Address))
            {
                var familiar = FamiliarAddresses(ticket.Account);
                if (familiar.Count == FamiliarAddressesPerAccount) familiar.RemoveAt(0);
                familiar.Add(ticket.Address);
            }
        }
    }

    /// <summary>The attempt was not checked after all (it waited too long for its account's gate): taken back.</summary>
    public void NotChecked(SignInTicket ticket)
    {
        lock (_gate)
        {
            TakeBack(ticket);
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

    /// <summary>Recent failed attempts on the account from addresses it never signed in from (a leaky count, rounded).</summary>
    public int RecentFailures(string account)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            return _accounts.Find(account) is { } counter ? (int)Math.Round(counter.Failures(now, _accounts.Leak)) : 0;
        }
    }

    private void TakeBack(SignInTicket ticket)
    {
        var now = _clock.GetUtcNow();
        _pairs.Remove((ticket.Address, ticket.Account));
        if (_addresses.Find(ticket.Address) is { } source)
        {
            source.Add(-1, now, _addresses.Leak);
            if (source.BlockedUntil == ticket.AddressBlockSet) source.BlockedUntil = ticket.AddressBlockBefore; // this attempt's block goes too
        }

        if (ticket.AccountCounted)
        {
            _accounts.Find(ticket.Account)?.Add(-1, now, _accounts.Leak);
        }
    }

    private static void Block(FailureCounter counter, DateTimeOffset until)
    {
        counter.BlockedUntil = until;
        counter.RefusalReported = false;
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

    private static TimeSpan Ceiling(TimeSpan wait) => TimeSpan.FromSeconds(Math.Ceiling(wait.TotalSeconds));
}
