using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace IoTRoutes.Web.Http;

/// <summary>Bound to <c>IoTRoutes:Proxies</c>.</summary>
public sealed class ProxyOptions
{
    public const string Section = "IoTRoutes:Proxies";

    /// <summary>
    /// Reverse proxies (addresses or CIDR ranges such as 10.0.0.0/8) whose X-Forwarded-For and X-Forwarded-Proto are
    /// believed. Empty (the default): the client address is the socket's, and those headers are ignored.
    /// </summary>
    public string[] Trusted { get; set; } = [];
}

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address; sign-in throttling and the audit log need the
/// client's. Only headers from the configured proxies are read, so nobody else can choose the address they are counted as.
/// </summary>
public static class TrustedProxies
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var trusted = configuration.GetSection(ProxyOptions.Section).Get<ProxyOptions>()?.Trusted ?? [];
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var entry in trusted)
            {
                if (System.Net.IPNetwork.TryParse(entry, out var network)) o.KnownIPNetworks.Add(network);
                else if (IPAddress.TryParse(entry, out var address)) o.KnownProxies.Add(address);
                else throw new InvalidOperationException($"{ProxyOptions.Section}:Trusted: \"{entry}\" is neither an address nor a CIDR range.");
            }
        });
        return services;
    }

    public static IApplicationBuilder UseTrustedProxies(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ForwardedHeadersOptions>>().Value;
        return options.KnownProxies.Count + options.KnownIPNetworks.Count > 0 ? app.UseForwardedHeaders() : app;
    }
}
