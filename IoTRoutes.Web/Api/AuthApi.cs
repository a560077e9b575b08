using IoTRoutes.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public sealed record TokenRequest(string? Email, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record TokenResponse(string AccessToken, string RefreshToken, int ExpiresIn);

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/auth").WithTags("Authentication").AllowAnonymous();
        api.MapPost("/token", IssueAsync).WithName("IssueToken").WithSummary("Get an access token")
            .WithDescription("Exchange e-mail and password for an access token and a refresh token.");
        api.MapPost("/refresh", RefreshAsync).WithName("RefreshToken").WithSummary("Refresh an access token")
            .WithDescription("Exchange a refresh token for a new pair; the old refresh token stops working.");
        api.MapPost("/revoke", RevokeAsync).WithName("RevokeToken").WithSummary("Revoke a refresh token")
            .WithDescription("End a sign-in: the refresh token and every token rotated from it stop working.");
        return app;
    }

    // Anonymous like refresh: the refresh token is the credential. 204 whatever the token, so the answer
    // never tells whether a token existed.
    private static async Task<Results<NoContent, ValidationProblem>> RevokeAsync(RefreshRequest request, TokenService tokens, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["Send the refresh token."] });
        }

        await tokens.RevokeAsync(request.RefreshToken, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueAsync(
        TokenRequest request, TokenService tokens, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Email)) errors["email"] = ["Enter the e-mail address."];
        if (string.IsNullOrEmpty(request.Password)) errors["password"] = ["Enter the password."];
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var result = await tokens.IssueAsync(request.Email, request.Password, http.Connection.RemoteIpAddress?.ToString(), ct);
        if (result.RetryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = Seconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return ToResponse(result);
    }

    private static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, TokenService tokens, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["Send the refresh token."] });
        }

        return ToResponse(await tokens.RefreshAsync(request.RefreshToken, ct));
    }

    private static Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult> ToResponse(TokenResult result) => result switch
    {
        { Tokens: { } t } => TypedResults.Ok(new TokenResponse(t.AccessToken, t.RefreshToken, t.ExpiresIn)),
        { Failure: TokenFailure.PasswordChangeRequired } => TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden, title: "Password change required",
            detail: "This account has a generated password: sign in to the web UI once and change it."),
        { Failure: TokenFailure.Throttled, RetryAfter: var wait } => TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many sign-in attempts",
            detail: $"Too many sign-in attempts from your address. Try again in {CredentialResult.WaitText(wait ?? TimeSpan.Zero)}.",
            extensions: new Dictionary<string, object?> { ["retryAfter"] = Seconds(wait) }),
        { Failure: TokenFailure.InvalidRefreshToken } => TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized, title: "Invalid refresh token",
            detail: "The refresh token is unknown, expired or already used."),
        _ => TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized, title: "Invalid credentials",
            detail: "The e-mail address or the password is wrong."),
    };

    private static int Seconds(TimeSpan? wait) => (int)Math.Ceiling((wait ?? TimeSpan.Zero).TotalSeconds);
}
