using Polly.CircuitBreaker;
using Polly.Timeout;

namespace IoTRoutes.Core.Communicators.Http;

/// <summary>What failed in an HTTP call, as a <see cref="CommunicatorException"/> naming the target and never a secret.</summary>
internal static class HttpFailures
{
    public static CommunicatorException FromException(Exception e, string target, bool timedOut, ServerCertificateTrust? trust, TimeSpan timeout, bool overTls)
    {
        if (e is CommunicatorException known) return known;
        if (timedOut || e is TimeoutRejectedException)
            return new(ConnectionFailure.Timeout, $"{target} did not answer within {timeout.TotalSeconds:0.#} s.", e);
        if (e is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError })
            return new(ConnectionFailure.Dns, $"The host name of {target} could not be resolved.", e);

        if (e is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            // Under TLS 1.3 a server checks the client certificate after the handshake, then just closes.
            return overTls
                ? new(ConnectionFailure.Tls, $"{target} closed the TLS connection without answering: it may require a client certificate, or refuse the one given.", e)
                : new(ConnectionFailure.Unavailable, $"{target} closed the connection without answering.", e);
        }

        var failure = ConnectionFailures.Classify(e, target);
        if (failure.Failure == ConnectionFailure.Tls || e is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError })
        {
            var reason = trust?.LastRejection ?? Innermost(e).Message;
            return new(ConnectionFailure.Tls, $"The TLS handshake with {target} failed: {reason}.", e);
        }

        // "An error occurred while sending the request" says nothing: the inner exception says what.
        return failure.Failure == ConnectionFailure.Other && e is HttpRequestException { InnerException: { } inner }
            ? new(ConnectionFailure.Other, $"{target}: {inner.Message}", e)
            : failure;
    }

    public static CommunicatorException CircuitOpen(BrokenCircuitException e, string target, DateTimeOffset? until) =>
        new(ConnectionFailure.Unavailable, until is { } time
            ? $"{target} failed too often: calls to it are refused until {time.UtcDateTime:HH:mm:ss} UTC (circuit open)."
            : $"{target} failed too often: calls to it are refused for a while (circuit open).", e);

    /// <summary>"api.example.com:443 answered 404 Not Found: {"error":"no such device"}".</summary>
    public static CommunicatorException FromStatus(HttpCallResult result, string target, Func<string, string> mask)
    {
        var snippet = OneLine(mask(result.Body));
        var message = $"{target} answered {result.Status}{(string.IsNullOrEmpty(result.Reason) ? "" : " " + result.Reason)}"
                      + (snippet.Length == 0 ? "." : $": {snippet}");
        return new(result.Failure ?? ConnectionFailure.Protocol, message);
    }

    private static string OneLine(string body)
    {
        var start = body.Length > 1000 ? body[..1000] : body;
        var text = string.Join(' ', start.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length > 200 ? text[..200] + "…" : text;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
