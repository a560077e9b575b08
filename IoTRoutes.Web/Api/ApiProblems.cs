using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

/// <summary>RFC 7807 problem details on every API error, including the ones the framework produces itself.</summary>
public static class ApiProblems
{
    public static IApplicationBuilder UseApiProblemDetails(this WebApplication app)
    {
        app.UseDotSegmentGuard();
        app.UseWhen(IsApi, api => api.UseExceptionHandler().UseStatusCodePages().UseJsonCharsetGuard());
        app.UseWhen(c => !IsApi(c), ui => ui.UseExceptionHandler("/error", createScopeForErrors: true));
        return app;
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");

    /// <summary>A 401 with a body that says why, instead of the bearer handler's empty one.</summary>
    public static async Task WriteUnauthorizedAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var detail = context.AuthenticateFailure switch
        {
            null => "This endpoint needs a bearer token: POST /api/v1/auth/token, then send 'Authorization: Bearer <accessToken>'.",
            Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException => "The access token has expired; use POST /api/v1/auth/refresh.",
            _ => "The access token is not valid.",
        };
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context.HttpContext,
            ProblemDetails = { Status = 401, Title = "Unauthorized", Detail = detail },
        });
    }

    public static ValidationProblem Validation(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors);
}
