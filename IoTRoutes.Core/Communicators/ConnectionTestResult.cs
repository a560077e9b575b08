namespace IoTRoutes.Core.Communicators;

/// <summary>
/// The answer to "Test connection" and to every use of a communicator: whether it worked, and if not, what failed in one
/// sentence for people (never a secret) with its <see cref="ConnectionFailure"/> kind.
/// </summary>
/// <param name="Note">What else the test learned, for people: a server's host key or certificate fingerprint to pin.</param>
public sealed record ConnectionTestResult(bool Succeeded, string? Error, ConnectionFailure? Failure, long ElapsedMs, string? Note = null)
{
    public static ConnectionTestResult Success(long elapsedMs) => new(true, null, null, elapsedMs);

    public static ConnectionTestResult Failed(CommunicatorException e, long elapsedMs) => new(false, e.Message, e.Failure, elapsedMs);
}
