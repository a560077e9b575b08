using System.Text.Json.Serialization;
using IoTRoutes.Core;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace IoTRoutes.Web.Api;

public static class ApiExtensions
{
    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<PermissionDeniedHandler>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecuritySchemeTransformer>());
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<BrokersHealthCheck>("brokers");
        return services;
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        // Everything the page needs comes from IoTRoutes itself: no AI agent, MCP or SDK offers, no telemetry, no CDN fonts,
        // and no "Open API Client" button (it opens client.scalar.com); "Test Request" on an operation stays in the page.
        app.MapScalarApiReference("/api-reference", o => o.WithTitle("IoTRoutes API")
            .DisableAgent().DisableMcp().DisableTelemetry().DisableDefaultFonts().HideDeveloperTools().HideClientButton());
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync });
        app.MapAuthApi();
        app.MapEntitiesApi();
        app.MapRolesApi();
        app.MapUsersApi();
        app.MapAuditApi();
        app.MapDevicesApi();
        app.MapDeviceImportApi();
        app.MapMessagesApi();
        app.MapBrokersApi();
        app.MapCommandsApi();
        app.MapDeviceCertificatesApi();
        app.MapFormatsApi();
        app.MapProfilesApi();
        app.MapWorkflowsApi();
        app.MapJobsApi();
        app.MapAlertsApi();
        app.MapFilesApi();
        app.MapDeviceMediaApi();
        app.MapCommunicatorsApi();
        app.MapNotificationRulesApi();
        return app;
    }
}
