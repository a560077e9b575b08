namespace IoTRoutes.Core.Communicators;

/// <summary>
/// A communicator's target could not be used. <see cref="Exception.Message"/> is one sentence for people, safe to show
/// and to log: it names the host and what failed, never a password, token or key.
/// </summary>
public sealed class CommunicatorException(ConnectionFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public ConnectionFailure Failure { get; } = failure;

    /// <summary>Whether the same request may succeed later (refused, timeout, the target's own failure).</summary>
    public bool Transient => Failure is ConnectionFailure.Refused or ConnectionFailure.Timeout or ConnectionFailure.Unavailable;
}
