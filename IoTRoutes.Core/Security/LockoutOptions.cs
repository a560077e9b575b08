using System.ComponentModel.DataAnnotations;

namespace IoTRoutes.Core.Security;

/// <summary>
/// How sign-in attempts are throttled (bound to <c>IoTRoutes:Lockout</c>). A lockout applies to one source address
/// on one account, never to the account for everyone; see docs/decisions/sign-in-throttling.md.
/// </summary>
public sealed class LockoutOptions
{
    public const string Section = "IoTRoutes:Lockout";

    /// <summary>Wrong passwords from one address on one account before that address is locked out of it.</summary>
    [Range(1, 100)] public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>How long an address stays locked out of an account, in minutes.</summary>
    [Range(1, 1440)] public int LockoutMinutes { get; set; } = 15;

    /// <summary>Wrong passwords from one address, whatever the accounts, before each further attempt waits: 1 s, then doubling.</summary>
    [Range(1, 10_000)] public int AddressFreeFailures { get; set; } = 20;

    /// <summary>The longest an address is made to wait between two attempts, in seconds.</summary>
    [Range(1, 86_400)] public int AddressMaxDelaySeconds { get; set; } = 900;

    /// <summary>
    /// Wrong passwords on one account from addresses it never signed in from before every further attempt from such an
    /// address is answered late: 250 ms, then doubling. Never a refusal, so the owner still gets in.
    /// </summary>
    [Range(1, 10_000)] public int AccountFreeFailures { get; set; } = 10;

    /// <summary>The longest an answer on an account under attack is held, in milliseconds.</summary>
    [Range(0, 30_000)] public int AccountMaxDelayMilliseconds { get; set; } = 3_000;

    /// <summary>
    /// Counts leak: over this many minutes an address forgets its <see cref="AddressFreeFailures"/> failures and an
    /// account its <see cref="AccountFreeFailures"/>, one at a time (a pair forgets <see cref="MaxFailedAttempts"/> over
    /// <see cref="LockoutMinutes"/>). A steady trickle of mistakes never adds up; a burst does.
    /// </summary>
    [Range(1, 10_080)] public int ForgetAfterMinutes { get; set; } = 60;
}
