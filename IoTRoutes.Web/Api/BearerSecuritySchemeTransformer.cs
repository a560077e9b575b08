using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IoTRoutes.Web.Api;

/// <summary>Declares the bearer scheme so the API reference page can send tokens.</summary>
internal sealed class BearerSecuritySchemeTransformer : IOpenApiDocumentTransformer
{
    private const string Introduction = """
        Every route but the three under /api/v1/auth, the CA certificate and device media needs an access token.
        Get one with `POST /api/v1/auth/token` and your e-mail and password, then send it with each request:

        ```
        Authorization: Bearer <accessToken>
        ```

        ```bash
        TOKEN=$(curl -s -X POST http://localhost:5000/api/v1/auth/token -H 'Content-Type: application/json' \
          -d '{"email":"admin@iotroutes.local","password":"your-password"}' | jq -r .accessToken)
        curl -s http://localhost:5000/api/v1/devices -H "Authorization: Bearer $TOKEN"
        ```

        An access token lives 10 minutes; `POST /api/v1/auth/refresh` with the refresh token gives a new pair.
        Here, **Authentication** at the top takes the token and adds the header to every request you try.
        Errors are RFC 7807 problem details.
        """;

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "IoTRoutes API";
        document.Info.Description = Introduction;
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "Access token from POST /api/v1/auth/token",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
        return Task.CompletedTask;
    }
}
