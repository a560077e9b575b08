using System.Text.Json.Nodes;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Devices.Attributes;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public static class DevicesApi
{
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/devices").WithTags("Devices").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListDevices").WithSummary("List devices")
            .WithDescription("The devices of the caller's entity and everything below it.").RequirePermission(Permission.View(SecuredObject.Devices));
        api.MapPost("/", CreateAsync).WithName("CreateDevice").WithSummary("Create a device")
            .WithDescription("Create a device; the response carries its MQTT secret, shown this once.")
            .RequirePermission(Permission.Manage(SecuredObject.Devices));
        api.MapPost("/{id:guid}/regenerate-secret", RegenerateSecretAsync).WithName("RegenerateDeviceSecret").WithSummary("Regenerate a device's secret")
            .WithDescription("Give the device a new secret, shown this once; the old one stops working and its connections close.")
            .RequirePermission(Permission.Of(SecuredActions.DevicesRegenerateSecret));
        api.MapGet("/{id:guid}", GetAsync).WithName("GetDevice").WithSummary("Get a device")
            .WithDescription("One device, with isConnected and lastSeenAt; 404 when it is unknown or outside the caller's entity.")
            .RequirePermission(Permission.View(SecuredObject.Devices));
        api.MapPut("/{id:guid}", UpdateAsync).WithName("UpdateDevice").WithSummary("Change a device")
            .WithDescription("Rename the device and/or change its profile (profileId; removeProfile: true for none).")
            .RequirePermission(Permission.Manage(SecuredObject.Devices));
        api.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteDevice").WithSummary("Delete a device")
            .WithDescription("Delete the device with its messages, commands, certificates and connection history; its connections close.")
            .RequirePermission(Permission.Manage(SecuredObject.Devices));
        api.MapGet("/{id:guid}/attributes", ListAttributesAsync).WithName("ListDeviceAttributes").WithSummary("List a device's attributes")
            .WithDescription("The device's attributes by key: value (text, number or boolean), when it last changed and by whom.")
            .RequirePermission(Permission.View(SecuredObject.Devices));
        api.MapPut("/{id:guid}/attributes/{key}", SetAttributeAsync).WithName("SetDeviceAttribute").WithSummary("Set a device attribute")
            .WithDescription("Set an attribute; the body is its JSON value (\"B12\", 3, true). Keys: letters, digits, _; at most 100 per device.")
            .RequirePermission(Permission.Manage(SecuredObject.Devices));
        api.MapDelete("/{id:guid}/attributes/{key}", DeleteAttributeAsync).WithName("DeleteDeviceAttribute").WithSummary("Delete a device attribute")
            .WithDescription("Delete one attribute of the device; 404 naming the device or the attribute.")
            .RequirePermission(Permission.Manage(SecuredObject.Devices));
        api.MapGet("/{id:guid}/telemetry/latest", LatestAsync).WithName("GetLatestTelemetry").WithSummary("Get a device's latest values")
            .WithDescription("The latest value of each decoded field of the device, with its unit and time.")
            .RequirePermission(Permission.View(SecuredObject.Messages));
        api.MapGet("/{id:guid}/telemetry", SeriesAsync).WithName("GetTelemetrySeries").WithSummary("Get a device's telemetry series")
            .WithDescription("Decoded numeric fields over time (fields=a,b; from; to; limit 1-10000 messages), on the device's own time where it sent one.")
            .RequirePermission(Permission.View(SecuredObject.Messages));
        api.MapGet("/{id:guid}/telemetry.csv", SeriesCsvAsync).WithName("ExportTelemetryCsv").WithSummary("Export telemetry as CSV")
            .WithDescription("The same window as CSV: time, then one column per field.")
            .RequirePermission(Permission.Of(SecuredActions.MessagesExport));
        api.MapGet("/{id:guid}/messages", ListMessagesAsync).WithName("ListDeviceMessages").WithSummary("List a device's messages")
            .WithDescription("The device's messages, newest first (limit 1-1000, default 100).")
            .RequirePermission(Permission.View(SecuredObject.Messages));

        // The device page's "Export CSV" link: same service, browser cookie instead of a bearer token.
        app.MapGet("/devices/{id:guid}/telemetry.csv", SeriesCsvAsync).RequireAuthorization(Policies.MessagesExport).ExcludeFromDescription();
        return app;
    }

    private static async Task<Ok<IReadOnlyList<DeviceDto>>> ListAsync(DeviceService devices, CancellationToken ct) =>
        TypedResults.Ok(await devices.ListAsync(ct));

    private static async Task<Results<Ok<DeviceDto>, ProblemHttpResult>> GetAsync(Guid id, DeviceService devices, CancellationToken ct) =>
        await devices.FindAsync(id, ct) is { } device ? TypedResults.Ok(device) : NotFoundProblem.Device(id);

    private static async Task<Results<Ok<IReadOnlyList<DeviceAttributeDto>>, ProblemHttpResult>> ListAttributesAsync(
        Guid id, DeviceAttributeService attributes, CancellationToken ct) =>
        await attributes.ListAsync(id, ct) is { } list ? TypedResults.Ok(list) : NotFoundProblem.Device(id);

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> SetAttributeAsync(
        Guid id, string key, [Microsoft.AspNetCore.Mvc.FromBody] JsonNode? value, DeviceAttributeService attributes, CancellationToken ct) =>
        ChangeResponses.NoContent(await attributes.SetAsync(id, key, value, ct), () => NotFoundProblem.Device(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAttributeAsync(
        Guid id, string key, DeviceAttributeService attributes, CancellationToken ct)
    {
        var result = await attributes.DeleteAsync(id, key, ct);
        // Not found is either the device or, on a device the caller sees, the attribute: the detail says which.
        return ChangeResponses.NoContent(result, () => result.FirstError is { } missing
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: missing)
            : NotFoundProblem.Device(id));
    }

    private static async Task<Results<Ok<IReadOnlyList<LatestFieldDto>>, ProblemHttpResult>> LatestAsync(
        Guid id, MessageQueryService messages, CancellationToken ct) =>
        await messages.LatestFieldsAsync(id, ct) is { } latest ? TypedResults.Ok(latest) : NotFoundProblem.Device(id);

    private static async Task<Results<Ok<IReadOnlyList<IoTRoutes.Core.Messaging.Telemetry.FieldSeries>>, ValidationProblem, ProblemHttpResult>> SeriesAsync(
        Guid id, string? fields, DateTimeOffset? from, DateTimeOffset? to, int? limit, IoTRoutes.Core.Messaging.Telemetry.TelemetrySeries series, CancellationToken ct)
    {
        var query = SeriesQueryOf(fields, from, to, limit);
        if (query.Validate() is { } errors) return TypedResults.ValidationProblem(errors);
        return await series.SeriesAsync(id, query, ct) is { } found ? TypedResults.Ok(found) : NotFoundProblem.Device(id);
    }

    private static async Task<Results<ContentHttpResult, ValidationProblem, ProblemHttpResult>> SeriesCsvAsync(
        Guid id, string? fields, DateTimeOffset? from, DateTimeOffset? to, int? limit, IoTRoutes.Core.Messaging.Telemetry.TelemetrySeries series, CancellationToken ct)
    {
        var query = SeriesQueryOf(fields, from, to, limit);
        if (query.Validate() is { } errors) return TypedResults.ValidationProblem(errors);
        return await series.CsvAsync(id, query, ct) is { } csv ? TypedResults.Text(csv, "text/csv; charset=utf-8") : NotFoundProblem.Device(id);
    }

    private static IoTRoutes.Core.Messaging.Telemetry.SeriesQuery SeriesQueryOf(string? fields, DateTimeOffset? from, DateTimeOffset? to, int? limit) =>
        new(fields?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), from, to,
            limit ?? IoTRoutes.Core.Messaging.Telemetry.SeriesQuery.DefaultLimit);

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateDeviceRequest request, DeviceService devices, CancellationToken ct) =>
        ChangeResponses.NoContent(await devices.UpdateAsync(id, request, ct), () => NotFoundProblem.Device(id));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, DeviceService devices, CancellationToken ct) =>
        await devices.DeleteAsync(id, ct) ? TypedResults.NoContent() : NotFoundProblem.Device(id);

    private static async Task<Results<Ok<CreatedDeviceDto>, ProblemHttpResult>> RegenerateSecretAsync(Guid id, DeviceService devices, CancellationToken ct) =>
        await devices.RegenerateSecretAsync(id, ct) is { } device ? TypedResults.Ok(device) : NotFoundProblem.Device(id);

    private static async Task<Results<Created<CreatedDeviceDto>, ValidationProblem>> CreateAsync(
        CreateDeviceRequest request, DeviceService devices, CancellationToken ct)
    {
        var result = await devices.CreateAsync(request, ct);
        return result.Device is { } created
            ? TypedResults.Created($"/api/v1/devices/{created.Id}", created)
            : TypedResults.ValidationProblem(result.Errors!);
    }

    private static async Task<Results<Ok<IReadOnlyList<MessageDto>>, ValidationProblem, ProblemHttpResult>> ListMessagesAsync(
        Guid id, DateTimeOffset? from, DateTimeOffset? to, int? limit, DeviceService devices, MessageQueryService messages, CancellationToken ct)
    {
        var query = new MessageQuery(id, from, to, limit ?? MessageQuery.DefaultLimit);
        if (query.Validate() is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await devices.FindAsync(id, ct) is null)
        {
            return NotFoundProblem.Device(id);
        }

        return TypedResults.Ok(await messages.ListAsync(query, ct));
    }
}
