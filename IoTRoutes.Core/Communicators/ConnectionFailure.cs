namespace IoTRoutes.Core.Communicators;

/// <summary>What went wrong when a communicator talked to its target: the first thing an operator needs to fix.</summary>
public enum ConnectionFailure
{
    /// <summary>The host name could not be resolved.</summary>
    Dns,

    /// <summary>Nothing listens there, or a firewall said no.</summary>
    Refused,

    /// <summary>The TLS handshake failed: untrusted or wrong certificate, no common protocol, a client certificate refused.</summary>
    Tls,

    /// <summary>The target refused the user name, password, token, key or client certificate.</summary>
    Credentials,

    /// <summary>No answer within the communicator's timeout.</summary>
    Timeout,

    /// <summary>The target answered, but not in its protocol, or said the request was wrong (an HTTP 4xx, an SMTP 5xx...).</summary>
    Protocol,

    /// <summary>The target failed on its side (an HTTP 5xx, an SMTP 4xx...): trying again later may work.</summary>
    Unavailable,

    /// <summary>Anything else; the message says what.</summary>
    Other,
}
