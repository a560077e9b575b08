using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IoTRoutes.Web.Http;

/// <summary>Kestrel's request limits, set here so that its answers and ours name the same numbers.</summary>
public static class KestrelLimits
{
    public const int MaxRequestLineSize = 8 * 1024;
    public const int MaxRequestHeadersTotalSize = 32 * 1024;
    public const int MaxRequestHeaderCount = 100;
}

/// <summary>
/// Kestrel rejects some requests before any middleware runs (a malformed request line such as %00 in the path, an
/// over-long URL, too large headers, a header timeout) and answers them with an empty body. These extensions give
/// those answers a problem document like every other error (issue 13), on plain HTTP/1.x endpoints; behind TLS the
/// wrapper sees only ciphertext and lets it pass.
/// </summary>
public static class KestrelRejections
{
    public static IWebHostBuilder UseRejectionProblems(this IWebHostBuilder host) => host.ConfigureKestrel(kestrel =>
    {
        kestrel.Limits.MaxRequestLineSize = KestrelLimits.MaxRequestLineSize;
        kestrel.Limits.MaxRequestHeadersTotalSize = KestrelLimits.MaxRequestHeadersTotalSize;
        kestrel.Limits.MaxRequestHeaderCount = KestrelLimits.MaxRequestHeaderCount;
        kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Use(next => connection =>
        {
            var requests = new RequestsInApp();
            connection.Items[RequestsInApp.Key] = requests;
            connection.Transport = new RewrittenTransport(connection.Transport, new RejectionRewritingWriter(connection.Transport.Output, requests));
            return next(connection);
        }));
    });

    /// <summary>First in the pipeline: marks the connection busy from the request's start until its response is written.</summary>
    public static IApplicationBuilder UseRejectionProblems(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(RequestsInApp.Key, out var item) == true
            && item is RequestsInApp requests)
        {
            requests.Enter();
            context.Response.OnCompleted(() =>
            {
                requests.Leave();
                return Task.CompletedTask;
            });
        }

        return next(context);
    });

    private sealed class RewrittenTransport(IDuplexPipe transport, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => transport.Input;
        public PipeWriter Output => output;
    }
}
