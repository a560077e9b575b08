using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Formats.Import;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

/// <summary>A sample to decode: the payload as text, hex or base64, and the port to decode it on (the format's by default).</summary>
public sealed record TryRequest(string? Payload, string? Encoding = "text", int? FPort = null);

public sealed record EncodeRequest(JsonObject? Data);

/// <param name="Decoded">The bytes read back by the format's <c>decodeDownlink</c>; absent when the format has none.</param>
public sealed record EncodeResponse(
    string? Bytes, int FPort, IReadOnlyList<string> Warnings, IReadOnlyList<string> Errors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DecodedDownlink? Decoded = null);

/// <summary>An imported codec: the new format, how many examples became test cases, how each one went, and what was left out.</summary>
public sealed record ImportResponse(Guid Id, int TestCases, IReadOnlyList<FormatTestResult> TestResults, IReadOnlyList<string> Warnings);

public static class FormatsApi
{
    public static IEndpointRouteBuilder MapFormatsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/formats").WithTags("Message formats").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListFormats").WithSummary("List formats")
            .WithDescription("Formats with their test results and the profiles using them.")
            .RequirePermission(Permission.View(SecuredObject.MessageFormats));
        api.MapGet("/{id:guid}", GetAsync).WithName("GetFormat").WithSummary("Get a format")
            .WithDescription("One format with its settings and test cases.").RequirePermission(Permission.View(SecuredObject.MessageFormats));
        api.MapGet("/{id:guid}/versions", VersionsAsync).WithName("ListFormatVersions").WithSummary("List a format's versions")
            .WithDescription("Every saved version, newest first.")
            .RequirePermission(Permission.View(SecuredObject.MessageFormats));
        api.MapPost("/", CreateAsync).WithName("CreateFormat").WithSummary("Create a format")
            .WithDescription("Create a format: name, kind, exchangeType, topicPattern, and the kind's settings (at the top level or under settings).")
            .RequirePermission(Permission.Manage(SecuredObject.MessageFormats));
        api.MapPost("/import", ImportAsync).WithName("ImportFormat").WithSummary("Import a codec as a format")
            .WithDescription("Create a Script format from a Device Repository codec: script (the .js), codecYaml (the -codec.yaml); its decoder's examples become test cases.")
            .RequirePermission(Permission.Manage(SecuredObject.MessageFormats));
        api.MapPut("/{id:guid}", UpdateAsync).WithName("UpdateFormat").WithSummary("Change a format")
            .WithDescription("Save a new version of the format.")
            .RequirePermission(Permission.Manage(SecuredObject.MessageFormats));
        api.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteFormat").WithSummary("Delete a format")
            .WithDescription("Delete a format no profile uses.")
            .RequirePermission(Permission.Manage(SecuredObject.MessageFormats));
        api.MapPost("/{id:guid}/try", TryAsync).WithName("TryFormat").WithSummary("Decode a sample")
            .WithDescription("Decode a sample as live traffic would; a decoding error is a 200 with errors, a malformed request a 400.")
            .RequirePermission(Permission.View(SecuredObject.MessageFormats));
        api.MapPost("/{id:guid}/encode", EncodeAsync).WithName("EncodeWithFormat").WithSummary("Encode a command payload")
            .WithDescription("Encode data as the format would for a command; a script with decodeDownlink also answers the bytes decoded back.")
            .RequirePermission(Permission.View(SecuredObject.MessageFormats));
        return app;
    }

    private static async Task<Ok<IReadOnlyList<FormatDto>>> ListAsync(FormatService formats, CancellationToken ct) =>
        TypedResults.Ok(await formats.ListAsync(ct));

    private static async Task<Results<Ok<FormatDto>, ProblemHttpResult>> GetAsync(Guid id, FormatService formats, CancellationToken ct) =>
        await formats.FindAsync(id, ct) is { } format ? TypedResults.Ok(format) : NotFoundProblem.Format(id);

    private static async Task<Results<Ok<IReadOnlyList<FormatVersionDto>>, ProblemHttpResult>> VersionsAsync(Guid id, FormatService formats, CancellationToken ct) =>
        await formats.VersionsAsync(id, ct) is { } versions ? TypedResults.Ok(versions) : NotFoundProblem.Format(id);

    private static async Task<Results<Created<CreatedIdResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        JsonObject body, FormatService formats, CancellationToken ct)
    {
        var (definition, errors) = FormatRequestReader.Read(body);
        return definition is null
            ? TypedResults.ValidationProblem(errors)
            : ChangeResponses.Created(await formats.CreateAsync(definition, ct), "/api/v1/formats", () => NotFoundProblem.Format(Guid.Empty));
    }

    private static async Task<Results<Created<ImportResponse>, ValidationProblem, ProblemHttpResult>> ImportAsync(
        JsonObject body, DeviceRepositoryImport imports, CancellationToken ct)
    {
        var (request, errors) = CodecImportRequest.Read(body);
        if (request is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var imported = await imports.ImportAsync(request, ct);
        var created = imported.Format is { } format ? new ImportResponse(format.Id, format.TestCases.Count, format.TestResults, imported.Warnings) : null;
        return ChangeResponses.Created(imported.Change, "/api/v1/formats", created, () => NotFoundProblem.Format(Guid.Empty));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, JsonObject body, FormatService formats, CancellationToken ct)
    {
        var (definition, errors) = FormatRequestReader.Read(body);
        return definition is null
            ? TypedResults.ValidationProblem(errors)
            : ChangeResponses.NoContent(await formats.UpdateAsync(id, definition, ct), () => NotFoundProblem.Format(id));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(Guid id, FormatService formats, CancellationToken ct) =>
        ChangeResponses.NoContent(await formats.DeleteAsync(id, ct), () => NotFoundProblem.Format(id));

    private static async Task<Results<Ok<TryResult>, ValidationProblem, ProblemHttpResult>> TryAsync(
        Guid id, TryRequest request, FormatService formats, CancellationToken ct)
    {
        var (bytes, problem) = SamplePayload.Decode(request.Payload, request.Encoding);
        if (request.Payload is null || bytes is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [request.Payload is null ? "payload" : "encoding"] = [request.Payload is null ? "Send the payload to decode." : problem!],
            });
        }

        if (request.FPort is < 0 or > 255)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["fPort"] = ["The port is between 0 and 255."] });
        }

        return await formats.TryAsync(id, bytes, request.FPort, ct) is { } result ? TypedResults.Ok(result) : NotFoundProblem.Format(id);
    }

    private static async Task<Results<Ok<EncodeResponse>, ValidationProblem, ProblemHttpResult>> EncodeAsync(
        Guid id, EncodeRequest request, FormatService formats, CancellationToken ct)
    {
        if (request.Data is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["data"] = ["Send the data to encode, as a JSON object."] });
        }

        if (await formats.EncodeAsync(id, request.Data, ct) is not { Encoded: var encoded, Decoded: var decoded })
        {
            return NotFoundProblem.Format(id);
        }

        return TypedResults.Ok(new EncodeResponse(encoded.Bytes is null ? null : Convert.ToBase64String(encoded.Bytes), encoded.FPort, encoded.Warnings, encoded.Errors, decoded));
    }
}
