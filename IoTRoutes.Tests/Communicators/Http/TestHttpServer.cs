using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Communicators.Http;

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a free port, plain or TLS (optionally requiring a client certificate from
/// a given CA), whose endpoints the test maps; it counts the requests each path received.
/// </summary>
public sealed class TestHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHttpServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>Requests received, by path.</summary>
    public ConcurrentDictionary<string, int> Requests { get; } = new();

    public int RequestsTo(string path) => Requests.GetValueOrDefault(path);

    public static async Task<TestHttpServer> StartAsync(Action<WebApplication> map, X509Certificate2? certificate = null, X509Certificate2? clientAuthority = null)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            if (certificate is null) return;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = certificate,
                ClientCertificateMode = clientAuthority is null ? ClientCertificateMode.NoCertificate : ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (client, _, _) => clientAuthority is not null && IssuedBy(client, clientAuthority),
            });
        }));
        builder.Services.AddRouting();
        var app = builder.Build();
        var server = new TestHttpServer(app, $"{(certificate is null ? "http" : "https")}://127.0.0.1:{port}");
        app.Use(async (context, next) =>
        {
            server.Requests.AddOrUpdate(context.Request.Path.Value ?? "", 1, (_, n) => n + 1);
            await next(context);
        });
        map(app);
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }

    private static bool IssuedBy(X509Certificate2 client, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(client);
    }
}
