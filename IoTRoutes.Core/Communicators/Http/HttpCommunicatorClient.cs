using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;

namespace IoTRoutes.Core.Communicators.Http;

/// <summary>
/// One communicator's connections: an <see cref="HttpClient"/> over its own TLS trust and client certificate, through
/// retries, a circuit breaker and a timeout per attempt, then the credentials. Kept across calls by
/// <see cref="HttpCommunicatorClients"/> so that connections, tokens and the circuit's state carry over.
/// </summary>
internal sealed class HttpCommunicatorClient : IDisposable
{
    private static readonly HashSet<string> IdempotentMethods = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"];

    private readonly SocketsHttpHandler _sockets;
    private readonly X509Certificate2? _certificate;
    private readonly OAuth2ClientCredentials? _tokens;
    private readonly HttpResilienceOptions _options;
    private readonly string? _idempotencyHeader;
    private readonly TimeProvider _clock;
    private long _circuitOpenUntilTicks;

    public HttpCommunicatorClient(HttpSettings settings, HttpSecrets secrets, HttpResilienceOptions options, TimeProvider clock, TimeProvider tokenClock)
    {
        _options = options;
        _clock = clock;
        _idempotencyHeader = string.IsNullOrEmpty(settings.IdempotencyKeyHeader) ? null : settings.IdempotencyKeyHeader;
        Timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds);
        Trust = ServerCertificateTrust.Create(settings.CaCertificatePem, settings.AcceptCertificateSha256);
        _certificate = secrets.LoadClientCertificate();
        _sockets = new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // a redirect could lead off the base URL's host
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Trust.Validate(certificate, chain, errors),
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                ClientCertificates = _certificate is null ? null : new X509CertificateCollection { _certificate },
                // Offered whatever CAs the server lists as acceptable: it may list none, or another name for ours.
                LocalCertificateSelectionCallback = _certificate is null ? null : (_, _, _, _, _) => _certificate,
            },
        };

        if (settings.Authentication.Type == HttpAuthenticationType.OAuth2ClientCredentials)
            _tokens = new OAuth2ClientCredentials(new HttpClient(_sockets, disposeHandler: false), settings.Authentication, secrets, Timeout, tokenClock);

        var authentication = new HttpAuthenticationHandler(settings, secrets, _tokens) { InnerHandler = _sockets };
        var resilience = new ResilienceHandler(Pipeline(settings.Retries)) { InnerHandler = authentication };
        Http = new HttpClient(resilience) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public HttpClient Http { get; }

    public ServerCertificateTrust Trust { get; }

    public TimeSpan Timeout { get; }

    /// <summary>While the circuit is open, when it lets a call through again.</summary>
    public DateTimeOffset? CircuitOpenUntil
    {
        get
        {
            var ticks = Interlocked.Read(ref _circuitOpenUntilTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public void Dispose()
    {
        Http.Dispose();
        _tokens?.Dispose();
        _sockets.Dispose();
        _certificate?.Dispose();
    }

    /// <summary>The Retry-After of a 429 or 503, as a wait.</summary>
    public TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        return header?.Date is { } date ? date - _clock.GetUtcNow() : null;
    }

    private ResiliencePipeline<HttpResponseMessage> Pipeline(int retries)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _clock };
        if (retries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryDelay,
                ShouldRetryAfterHeader = false, // read below, with a limit
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result) is { } wait && wait > TimeSpan.Zero ? wait : (TimeSpan?)null),
            });
        }

        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = _options.FailureRatio,
            MinimumThroughput = _options.MinimumThroughput,
            SamplingDuration = _options.SamplingDuration,
            BreakDuration = _options.BreakDuration,
            OnOpened = args =>
            {
                Interlocked.Exchange(ref _circuitOpenUntilTicks, (_clock.GetUtcNow() + args.BreakDuration).UtcTicks);
                return default;
            },
            OnClosed = _ =>
            {
                Interlocked.Exchange(ref _circuitOpenUntilTicks, 0);
                return default;
            },
        });
        builder.AddTimeout(Timeout);
        return builder.Build();
    }

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (context.CancellationToken.IsCancellationRequested || !HttpClientResiliencePredicates.IsTransient(outcome)) return false;
        if (outcome.Exception is BrokenCircuitException) return false;
        var request = context.GetRequestMessage();
        if (request is null) return false;
        // A POST or PATCH that reached the target may have had its effect: repeated only when the target can tell.
        var safe = IdempotentMethods.Contains(request.Method.Method) || (_idempotencyHeader is not null && request.Headers.Contains(_idempotencyHeader));
        return safe && !(RetryAfter(outcome.Result) > _options.MaxRetryAfter);
    }
}
