using System.Text;
using IoTRoutes.Core.Devices.Import;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace IoTRoutes.Web.Api;

/// <summary>Bulk provisioning: devices from a CSV file, checked first, created all at once or not at all.</summary>
public static class DeviceImportApi
{
    /// <summary>1000 rows of long names and ids fit well within it.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapDeviceImportApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/devices/import", ImportAsync).WithTags("Devices").WithName("ImportDevices")
            .WithSummary("Import devices from CSV")
            .WithDescription($"The body is text/csv with a header naming the columns name (required), entity and profile (each by name or id; " +
                             $"entity defaults to yours), at most {DeviceImportCsv.MaxRows} rows. With dryRun=true: 200 and each row with its errors, " +
                             "nothing created. Without: all devices are created, or none and a 400 naming each line's errors; the answer carries " +
                             "each device's key and secret, shown this once: JSON, or CSV (name,key,secret,entity,profile,id) with Accept: text/csv.")
            .Accepts<string>("text/csv")
            .RequireAuthorization(WebSecurityExtensions.ApiPolicy)
            .RequirePermission(Permission.Manage(SecuredObject.Devices));
        return app;
    }

    public sealed record ImportedDevicesResponse(IReadOnlyList<ImportedDevice> Devices);

    private static async Task<Results<Ok<DeviceImportPreview>, Ok<ImportedDevicesResponse>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ImportAsync(
        HttpRequest request, bool? dryRun, DeviceImportService imports, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || type.MediaType.Value is not ("text/csv" or "text/plain" or "application/csv"))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type",
                detail: "Send the file as the body with Content-Type: text/csv.");
        }

        if (await ReadAsync(request, ct) is not { } csv)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large",
                detail: $"An import file has at most {MaxBodyBytes / 1024} KiB: split it.");
        }

        if (dryRun == true)
        {
            return TypedResults.Ok(await imports.PreviewAsync(csv, ct));
        }

        var result = await imports.ImportAsync(csv, ct);
        if (result.Created is not { } created)
        {
            return TypedResults.ValidationProblem(Errors(result.Preview), title: "Nothing was imported: the file has errors.");
        }

        return request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase)
            ? TypedResults.File(Encoding.UTF8.GetBytes(DeviceImportCsv.Credentials(created)), "text/csv; charset=utf-8", "device-credentials.csv")
            : TypedResults.Ok(new ImportedDevicesResponse(created));
    }

    private static Dictionary<string, string[]> Errors(DeviceImportPreview preview)
    {
        var errors = preview.Rows.Where(r => !r.IsValid).ToDictionary(r => $"line {r.Line}", r => r.Errors.ToArray());
        if (preview.Problems.Count > 0) errors["file"] = [.. preview.Problems];
        return errors;
    }

    /// <summary>The body as text, or null when it is larger than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<string?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
