using Microsoft.Net.Http.Headers;

namespace IoTRoutes.Web.Api;

/// <summary>
/// JSON bodies are UTF-8 (RFC 8259 §8.1). A request whose Content-Type names another charset, an unknown one or an empty
/// one gets 415 problem details here, before a route reads its body: ASP.NET Core's JSON reader threw on an unknown
/// charset, which answered 500 (issue 13).
/// </summary>
public static class JsonCharsetGuard
{
    public static IApplicationBuilder UseJsonCharsetGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (ForeignCharset(context.Request.ContentType) is { } charset)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status415UnsupportedMediaType,
                    Title = "Unsupported charset",
                    Detail = $"JSON bodies are read as UTF-8; this request says charset \"{charset}\". Send Content-Type: application/json (or application/json; charset=utf-8).",
                },
            });
            return;
        }

        await next(context);
    });

    /// <summary>The charset a JSON content type names when it is not UTF-8; null when there is none or it is UTF-8.</summary>
    internal static string? ForeignCharset(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Value!.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var parameter = mediaType.Parameters.FirstOrDefault(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase));
        if (parameter is null)
        {
            return null;
        }

        var charset = parameter.Value.Value?.Trim('"') ?? "";
        return charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) ? null : charset; // the IANA name; "utf8" is not one
    }
}
