using System.Net.Http.Headers;
using System.Text;
using IoTRoutes.Core.Files;
using IoTRoutes.Core.Media.Intake;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

/// <summary>
/// Media too large for MQTT: a device posts its file with its own key and secret (HTTP Basic), and gets what it became:
/// a message with the file's reading, or the reason it was Rejected (the message and a saved file are kept either way).
/// </summary>
public static class DeviceMediaApi
{
    private const long FormOverheadBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapDeviceMediaApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/devices/{id:guid}/media", ReceiveAsync).WithTags("Devices").WithName("SendDeviceMedia").WithSummary("Send media as a device")
            
            .WithDescription("For devices, not users: authenticate with HTTP Basic, the device's key as user name and its secret as password. " +
                             "The body is the file itself (its Content-Type, name=snapshot.jpg in the query) or multipart/form-data with a field " +
                             "file. It is stored as a file of the device's entity and read by the media interpreters; the answer (201) holds the " +
                             "message id, the file id and the fields read (images: format, width, height, brightness; WAV: duration, levels, " +
                             "loud stretches). 422: the file was kept but could not be read; 415: its name or type lies about its content; " +
                             "413: too large; 401: bad key or secret; 429: too many failed attempts from this address.")
            .AllowAnonymous()
            .DisableAntiforgery()
            .Produces<MediaReceipt>(StatusCodes.Status201Created);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(
        Guid id, string? name, HttpContext context, DeviceHttpCredentials credentials, MediaArrivals media, FileSaver files, CancellationToken ct)
    {
        var (key, secret) = BasicCredentials(context.Request.Headers.Authorization);
        var (device, throttled) = await credentials.AuthenticateAsync(id, key, secret, ToEndPoint(context), ct);
        if (throttled)
        {
            context.Response.Headers.RetryAfter = "60";
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed attempts",
                detail: $"This address gave wrong device credentials {DeviceHttpCredentials.FailuresPerMinute} times this minute; try again in a minute.");
        }

        if (device is null)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"IoTRoutes devices\", charset=\"UTF-8\"";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unknown device or wrong secret",
                detail: "Authenticate with HTTP Basic: the device's key as user name, its secret as password.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = files.MaxBytes + FormOverheadBytes;
        }

        IFormFile? part = null;
        try
        {
            if (context.Request.HasFormContentType)
            {
                context.Features.Set<IFormFeature>(new FormFeature(context.Request, new FormOptions { MultipartBodyLengthLimit = files.MaxBytes + FormOverheadBytes }));
                var form = await context.Request.ReadFormAsync(ct);
                part = form.Files.GetFile("file");
                if (part is null) return Invalid("file", "Send the file as the body itself, or as multipart/form-data in a field named file.");
            }

            name ??= part?.FileName ?? ContentDispositionName(context.Request.Headers.ContentDisposition);
            if (MediaTopics.NameProblem(name) is { } problem) return Invalid("name", problem);
            var declared = part?.ContentType ?? context.Request.ContentType;
            if (declared is "application/octet-stream") declared = null; // "some bytes": no claim to check
            await using var content = part?.OpenReadStream() ?? context.Request.Body;
            var receipt = await media.ReceiveAsync(device, name!, declared, content, ct);
            return Answer(receipt, files.MaxBytes);
        }
        catch (Exception e) when (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } or InvalidDataException)
        {
            return TooLarge(files.MaxBytes, null);
        }
    }

    private static IResult Answer(MediaReceipt receipt, long maxBytes)
    {
        var extensions = new Dictionary<string, object?> { ["messageId"] = receipt.MessageId, ["fileId"] = receipt.FileId };
        return receipt switch
        {
            { Reason: null } => TypedResults.Created($"/api/v1/messages/{receipt.MessageId}", receipt),
            { Refusal: FileSaveError.TooLarge } => TooLarge(maxBytes, receipt),
            { Refusal: FileSaveError.ContentMismatch } => TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "The file is not what its name or type says", detail: receipt.Reason, extensions: extensions),
            { Refusal: not null } => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The file was not stored",
                detail: receipt.Reason, extensions: extensions),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The file was kept but could not be read",
                detail: receipt.Reason, extensions: extensions),
        };
    }

    private static ProblemHttpResult TooLarge(long maxBytes, MediaReceipt? receipt) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "File too large",
            detail: $"A file may have at most {FileSize.Format(maxBytes)}; send smaller media.",
            extensions: receipt is null ? null : new Dictionary<string, object?> { ["messageId"] = receipt.MessageId });

    private static ValidationProblem Invalid(string field, string problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [problem] });

    private static (string? Key, string? Secret) BasicCredentials(string? header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || !value.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)
            || value.Parameter is null)
        {
            return (null, null);
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
            var colon = text.IndexOf(':');
            return colon < 0 ? (null, null) : (text[..colon], text[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }

    private static string? ContentDispositionName(string? header) =>
        ContentDispositionHeaderValue.TryParse(header, out var value) ? (value.FileNameStar ?? value.FileName)?.Trim('"') : null;

    private static System.Net.IPEndPoint? ToEndPoint(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address ? new System.Net.IPEndPoint(address, context.Connection.RemotePort) : null;
}
