using Microsoft.AspNetCore.Http.Features;

namespace IoTRoutes.Web.Api;

/// <summary>
/// Kestrel resolves "." and ".." segments before routing, so <c>/api/../x</c> reached the web pages as <c>/x</c> and
/// got their empty 404. An API path is used as it is sent: one with such a segment gets 400 problem details.
/// </summary>
public static class DotSegmentGuard
{
    public static IApplicationBuilder UseDotSegmentGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is null || !HasApiDotSegment(raw))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Dot segments in the path",
                Detail = "API paths are used as they are sent: remove the '.' and '..' segments.",
            },
        });
    });

    /// <summary>Whether the raw request target is an API path (before resolution) with a "." or ".." segment, plain or percent-encoded.</summary>
    internal static bool HasApiDotSegment(string rawTarget)
    {
        var path = rawTarget.AsSpan();
        if (path.Length > 0 && path[0] != '/')
        {
            // The absolute form (GET http://host/api/../x): the path starts after the authority.
            var scheme = path.IndexOf("://");
            var slash = scheme < 0 ? -1 : path[(scheme + 3)..].IndexOf('/');
            path = slash < 0 ? [] : path[(scheme + 3 + slash)..];
        }

        var query = path.IndexOfAny('?', '#');
        if (query >= 0) path = path[..query];

        var decoded = path.ToString().Replace("%2e", ".", StringComparison.OrdinalIgnoreCase)
            .Replace("%2f", "/", StringComparison.OrdinalIgnoreCase).Replace('\\', '/');
        if (!decoded.StartsWith("/api/", StringComparison.OrdinalIgnoreCase) && !decoded.Equals("/api", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var segment in decoded.Split('/'))
        {
            if (segment is "." or "..") return true;
        }

        return false;
    }
}
