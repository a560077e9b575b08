using System.Net.Sockets;
using System.Security.Authentication;

namespace IoTRoutes.Core.Communicators;

/// <summary>
/// Turns the exceptions of sockets, TLS and timeouts into a <see cref="CommunicatorException"/> that says what failed,
/// shared by every kind of communicator so that "refused" or "TLS" reads the same for HTTP, SMTP, FTP and MQTT.
/// </summary>
public static class ConnectionFailures
{
    /// <param name="target">What was being reached, as shown: "smtp.example.com:587".</param>
    /// <param name="timedOut">True when the caller's own timeout (not the caller's cancellation) ended the attempt.</param>
    public static CommunicatorException Classify(Exception e, string target, bool timedOut = false)
    {
        if (e is CommunicatorException known) return known;
        if (timedOut || e is TimeoutException) return new(ConnectionFailure.Timeout, $"{target} did not answer in time.", e);

        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return new(ConnectionFailure.Dns, $"The host name of {target} could not be resolved.", e);
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return new(ConnectionFailure.Refused, $"{target} refused the connection: nothing listens there, or a firewall said no.", e);
                case SocketException { SocketErrorCode: SocketError.TimedOut }:
                    return new(ConnectionFailure.Timeout, $"{target} did not answer in time.", e);
                case SocketException { SocketErrorCode: SocketError.HostUnreachable or SocketError.NetworkUnreachable }:
                    return new(ConnectionFailure.Refused, $"{target} cannot be reached from here (no route to it).", e);
                case AuthenticationException:
                    return new(ConnectionFailure.Tls, $"The TLS handshake with {target} failed: {inner.Message}", e);
            }
        }

        return new(ConnectionFailure.Other, $"{target}: {e.Message}", e);
    }
}
