using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Polly.CircuitBreaker;

namespace IoTRoutes.Core.Communicators.Http;

/// <summary>
/// Calls an HTTP API through a communicator: the path under its base URL, its headers and credentials, retries of
/// transient failures (POST and PATCH only with an idempotency key header), a circuit breaker per communicator.
/// Every failure is a <see cref="CommunicatorException"/> whose message names the target and no secret.
/// </summary>
public sealed class HttpCommunicator(HttpCommunicatorClients clients, HttpResilienceOptions options)
{
    /// <summary>The call; a 4xx or 5xx answer throws unless <see cref="HttpCall.AcceptAnyStatus"/>.</summary>
    public async Task<HttpCallResult> SendAsync(Guid communicatorId, HttpSettings settings, HttpSecrets secrets, HttpCall call, CancellationToken ct)
    {
        Validate(settings, secrets, call);
        using var lease = clients.Rent(communicatorId, settings, secrets);
        return await SendAsync(lease.Client, settings, secrets, call, ct);
    }

    /// <summary>
    /// A GET of the base URL, once, on a client of its own: any answer below 500 other than 401 and 403 means the
    /// target is reachable and takes the credentials (a 404 or 405 at the API's root is usual).
    /// </summary>
    public async Task<ConnectionTestResult> TestAsync(HttpSettings settings, HttpSecrets secrets, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var call = new HttpCall { AcceptAnyStatus = true };
        try
        {
            Validate(settings, secrets, call);
            using var lease = clients.RentOnce(settings with { Retries = 0 }, secrets);
            var result = await SendAsync(lease.Client, settings, secrets, call, ct);
            if (result.Status is 401 or 403 or >= 500)
                throw HttpFailures.FromStatus(result, Origin(settings), text => secrets.Mask(text, settings));
            return ConnectionTestResult.Success(Elapsed(started));
        }
        catch (CommunicatorException e)
        {
            return ConnectionTestResult.Failed(e, Elapsed(started));
        }
    }

    private async Task<HttpCallResult> SendAsync(HttpCommunicatorClient client, HttpSettings settings, HttpSecrets secrets, HttpCall call, CancellationToken ct)
    {
        var uri = HttpCallUri.Resolve(settings.BaseUrl, call.Path);
        var target = $"{uri.Host}:{uri.Port}";
        using var request = new HttpRequestMessage(new HttpMethod(call.Method.ToUpperInvariant()), uri);
        if (call.Body is not null) request.Content = Content(call.Body, call.ContentType);
        foreach (var (name, value) in settings.Headers.Concat(call.Headers ?? new Dictionary<string, string>()))
        {
            request.Headers.Remove(name);
            request.Content?.Headers.Remove(name);
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content?.Headers.TryAddWithoutValidation(name, value);
        }

        if (!string.IsNullOrEmpty(settings.IdempotencyKeyHeader))
        {
            request.Headers.Remove(settings.IdempotencyKeyHeader);
            request.Headers.TryAddWithoutValidation(settings.IdempotencyKeyHeader, call.IdempotencyKey ?? Guid.NewGuid().ToString("N"));
        }

        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (BrokenCircuitException e)
        {
            throw HttpFailures.CircuitOpen(e, target, client.CircuitOpenUntil);
        }
        catch (Exception e)
        {
            throw HttpFailures.FromException(e, target, false, client.Trust, client.Timeout, uri.Scheme == Uri.UriSchemeHttps);
        }

        HttpCallResult result;
        using (response)
        {
            var (body, truncated) = await ReadBodyAsync(response, client, target, ct);
            var headers = response.Headers.Concat(response.Content.Headers)
                .GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.SelectMany(h => h.Value).ToArray(), StringComparer.OrdinalIgnoreCase);
            request.Options.TryGetValue(HttpAuthenticationHandler.Attempts, out var attempts);
            result = new HttpCallResult((int)response.StatusCode, response.ReasonPhrase, headers, body, truncated, Elapsed(started), attempts);
        }

        if (!call.AcceptAnyStatus && result.Failure is not null) throw HttpFailures.FromStatus(result, target, text => secrets.Mask(text, settings));
        return result;
    }

    private async Task<(string Body, bool Truncated)> ReadBodyAsync(HttpResponseMessage response, HttpCommunicatorClient client, string target, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(client.Timeout);
        var bytes = new MemoryStream();
        var truncated = false;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                var room = options.MaxResponseBytes - (int)bytes.Length;
                bytes.Write(buffer, 0, Math.Min(read, room));
                if (read > room)
                {
                    truncated = true;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            throw HttpFailures.FromException(e, target, deadline.IsCancellationRequested, client.Trust, client.Timeout, overTls: false);
        }

        return (EncodingOf(response).GetString(bytes.GetBuffer(), 0, (int)bytes.Length), truncated);
    }

    private static Encoding EncodingOf(HttpResponseMessage response)
    {
        var charset = response.Content.Headers.ContentType?.CharSet?.Trim('"');
        if (string.IsNullOrEmpty(charset)) return Encoding.UTF8;
        try
        {
            return Encoding.GetEncoding(charset);
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8;
        }
    }

    private static StringContent Content(string body, string? contentType)
    {
        var type = MediaTypeHeaderValue.Parse(contentType ?? (body.TrimStart() is ['{' or '[', ..] ? "application/json" : "text/plain"));
        type.CharSet ??= "utf-8";
        Encoding encoding;
        try
        {
            encoding = Encoding.GetEncoding(type.CharSet.Trim('"'));
        }
        catch (ArgumentException)
        {
            throw new CommunicatorException(ConnectionFailure.Other, $"The content type's charset '{type.CharSet}' is not known.");
        }

        return new StringContent(body, encoding, type);
    }

    private static void Validate(HttpSettings settings, HttpSecrets secrets, HttpCall call)
    {
        foreach (var (what, problems) in new[] { ("The HTTP communicator's settings are", settings.Problems()), ("Its secrets are", secrets.Problems(settings)), ("The call is", call.Problems()) })
        {
            if (problems.Count > 0) throw new CommunicatorException(ConnectionFailure.Other, SettingsProblems.Describe(what, problems));
        }
    }

    private static string Origin(HttpSettings settings)
    {
        var url = new Uri(settings.BaseUrl);
        return $"{url.Host}:{url.Port}";
    }

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
