using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IoTRoutes.Core.Security;

public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn);

public enum TokenFailure
{
    InvalidCredentials,
    PasswordChangeRequired,
    InvalidRefreshToken,
    Throttled,
}

public sealed record TokenResult(TokenPair? Tokens, TokenFailure? Failure, TimeSpan? RetryAfter = null)
{
    public static TokenResult Fail(TokenFailure failure) => new(null, failure);
}

/// <summary>Issues short-lived access tokens and rotating refresh tokens for the REST API.</summary>
public sealed class TokenService(
    IDbContextFactory<AppDbContext> contexts,
    UserAccountService accounts,
    SigningKeyProvider signingKey,
    IOptions<JwtOptions> options,
    TimeProvider clock)
{
    public async Task<TokenResult> IssueAsync(string? email, string? password, string? from, CancellationToken ct)
    {
        var check = await accounts.CheckCredentialsAsync(email, password, from, ct);
        if (check.Outcome == CredentialCheck.Throttled)
        {
            return new TokenResult(null, TokenFailure.Throttled, check.RetryAfter);
        }

        if (check.User is null)
        {
            return TokenResult.Fail(TokenFailure.InvalidCredentials);
        }

        if (check.User.MustChangePassword)
        {
            return TokenResult.Fail(TokenFailure.PasswordChangeRequired);
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        return new TokenResult(await CreatePairAsync(db, check.User, Guid.CreateVersion7(), ct), null);
    }

    public async Task<TokenResult> RefreshAsync(string? refreshToken, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(refreshToken))
        {
            return TokenResult.Fail(TokenFailure.InvalidRefreshToken);
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var hash = Hash(refreshToken);
        var now = clock.GetUtcNow();
        var stored = await db.RefreshTokens.SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (stored is null || stored.ExpiresAt <= now)
        {
            return TokenResult.Fail(TokenFailure.InvalidRefreshToken);
        }

        if (stored.RevokedAt is not null)
        {
            // A spent token presented again: someone holds a copy. End the whole sign-in, thief and owner alike.
            await RevokeFamilyAsync(db, stored.FamilyId, now, ct);
            return TokenResult.Fail(TokenFailure.InvalidRefreshToken);
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == stored.UserId, ct);
        if (user is null || user.IsDisabled)
        {
            return TokenResult.Fail(TokenFailure.InvalidRefreshToken);
        }

        // Revoke only if nobody used it meanwhile: of two concurrent refreshes with one token, one wins.
        var revoked = await db.RefreshTokens.Where(t => t.Id == stored.Id && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        if (revoked != 1)
        {
            await RevokeFamilyAsync(db, stored.FamilyId, now, ct);
            return TokenResult.Fail(TokenFailure.InvalidRefreshToken);
        }

        return new TokenResult(await CreatePairAsync(db, new SignedInUser(user.Id, user.Email, user.MustChangePassword), stored.FamilyId, ct), null);
    }

    /// <summary>Revokes the refresh token and every token of its family.</summary>
    public async Task RevokeAsync(string? refreshToken, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(refreshToken))
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var hash = Hash(refreshToken);
        var family = await db.RefreshTokens.Where(t => t.TokenHash == hash).Select(t => (Guid?)t.FamilyId).SingleOrDefaultAsync(ct);
        if (family is { } familyId)
        {
            await RevokeFamilyAsync(db, familyId, clock.GetUtcNow(), ct);
        }
    }

    private static Task RevokeFamilyAsync(AppDbContext db, Guid familyId, DateTimeOffset now, CancellationToken ct) =>
        db.RefreshTokens.Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);

    private async Task<TokenPair> CreatePairAsync(AppDbContext db, SignedInUser user, Guid familyId, CancellationToken ct)
    {
        var jwt = options.Value;
        var now = clock.GetUtcNow();
        var lifetime = TimeSpan.FromMinutes(jwt.AccessTokenMinutes);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, user.Id.ToString()),
                new Claim(JwtRegisteredClaimNames.Email, user.Email),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString()),
            ]),
            SigningCredentials = new SigningCredentials(signingKey.Key, SecurityAlgorithms.HmacSha256),
        };
        var accessToken = new JsonWebTokenHandler().CreateToken(descriptor);

        var refreshToken = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.CreateVersion7(),
            UserId = user.Id,
            FamilyId = familyId,
            TokenHash = Hash(refreshToken),
            CreatedAt = now,
            ExpiresAt = now.AddDays(jwt.RefreshTokenDays),
        });
        await db.SaveChangesAsync(ct);
        return new TokenPair(accessToken, refreshToken, (int)lifetime.TotalSeconds);
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
