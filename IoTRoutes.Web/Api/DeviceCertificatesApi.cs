using IoTRoutes.Core.Devices.Certificates;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public static class DeviceCertificatesApi
{
    public static IEndpointRouteBuilder MapDeviceCertificatesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/devices/{id:guid}/certificates").WithTags("Devices").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListDeviceCertificates").WithSummary("List a device's certificates")
            .WithDescription("The client certificates issued to or registered for the device, with their validity and revocation.")
            .RequirePermission(Permission.View(SecuredObject.Devices));
        api.MapPost("/issue", IssueAsync).WithName("IssueDeviceCertificate").WithSummary("Issue a device certificate")
            .WithDescription("Issue a client certificate from the built-in CA; the PEM certificate and private key are in this answer only.")
            .RequirePermission(Permission.Manage(SecuredObject.Devices));
        api.MapPost("/", RegisterAsync).WithName("RegisterDeviceCertificate").WithSummary("Register a device certificate")
            .WithDescription("Register an existing certificate {certificatePem}; the device may then connect with it.")
            .RequirePermission(Permission.Manage(SecuredObject.Devices));
        api.MapPost("/{certificateId:guid}/revoke", RevokeAsync).WithName("RevokeDeviceCertificate").WithSummary("Revoke a device certificate")
            .WithDescription("Revoke the certificate; the device's connections are closed.")
            .RequirePermission(Permission.Manage(SecuredObject.Devices));
        app.MapGet("/api/v1/certificates/ca.pem", (DeviceCertificateService certificates) => TypedResults.Text(certificates.CaCertificatePem, "application/x-pem-file"))
            .WithTags("Devices").WithName("GetCaCertificate").WithSummary("Download the CA certificate")
            .WithDescription("The CA certificate devices trust for the brokers' TLS ports, as PEM; no sign-in needed.")
            .AllowAnonymous(); // public by nature: a device (or mosquitto_pub) fetches it before it has any credential
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<DeviceCertificateDto>>, ProblemHttpResult>> ListAsync(Guid id, DeviceCertificateService certificates, CancellationToken ct) =>
        await certificates.ListAsync(id, ct) is { } list ? TypedResults.Ok(list) : NotFoundProblem.Device(id);

    private static async Task<Results<Ok<IssuedDeviceCertificateDto>, ProblemHttpResult>> IssueAsync(Guid id, DeviceCertificateService certificates, CancellationToken ct) =>
        await certificates.IssueAsync(id, ct) is { } issued ? TypedResults.Ok(issued) : NotFoundProblem.Device(id);

    private static async Task<Results<Created<DeviceCertificateDto>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        Guid id, RegisterCertificateRequest request, DeviceCertificateService certificates, CancellationToken ct)
    {
        var (certificate, result) = await certificates.RegisterAsync(id, request, ct);
        return ChangeResponses.Created(result, $"/api/v1/devices/{id}/certificates", certificate, () => NotFoundProblem.Device(id));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RevokeAsync(
        Guid id, Guid certificateId, DeviceCertificateService certificates, CancellationToken ct) =>
        ChangeResponses.NoContent(await certificates.RevokeAsync(id, certificateId, ct), () => NotFoundProblem.Certificate(certificateId));
}
