using IoTRoutes.Core.Messaging.Profiles;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public sealed record AssignProfileRequest(List<Guid>? DeviceIds);

public static class ProfilesApi
{
    public static IEndpointRouteBuilder MapProfilesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/profiles").WithTags("Device profiles").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListProfiles").WithSummary("List profiles")
            .WithDescription("Device profiles: the formats tried in order, and the variables.")
            .RequirePermission(Permission.View(SecuredObject.MessageFormats));
        api.MapGet("/{id:guid}", GetAsync).WithName("GetProfile").WithSummary("Get a profile")
            .WithDescription("One profile with its formats and variables.").RequirePermission(Permission.View(SecuredObject.MessageFormats));
        api.MapPost("/", CreateAsync).WithName("CreateProfile").WithSummary("Create a profile")
            .WithDescription("Create a profile: name, formatIds in the order they are tried, variables.")
            .RequirePermission(Permission.Manage(SecuredObject.MessageFormats));
        api.MapPut("/{id:guid}", UpdateAsync).WithName("UpdateProfile").WithSummary("Change a profile")
            .WithDescription("Change a profile: name, formatIds in the order they are tried, variables.")
            .RequirePermission(Permission.Manage(SecuredObject.MessageFormats));
        api.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteProfile").WithSummary("Delete a profile")
            .WithDescription("Delete a profile no device uses.")
            .RequirePermission(Permission.Manage(SecuredObject.MessageFormats));
        api.MapPost("/{id:guid}/devices", AssignAsync).WithName("AssignProfile").WithSummary("Assign a profile to devices")
            .WithDescription("Give devices this profile, all or none.")
            .RequirePermission(Permission.Manage(SecuredObject.Devices));
        return app;
    }

    private static async Task<Ok<IReadOnlyList<ProfileDto>>> ListAsync(ProfileService profiles, CancellationToken ct) =>
        TypedResults.Ok(await profiles.ListAsync(ct));

    private static async Task<Results<Ok<ProfileDto>, ProblemHttpResult>> GetAsync(Guid id, ProfileService profiles, CancellationToken ct) =>
        await profiles.FindAsync(id, ct) is { } profile ? TypedResults.Ok(profile) : NotFoundProblem.Profile(id);

    private static async Task<Results<Created<CreatedIdResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        ProfileRequest request, ProfileService profiles, CancellationToken ct) =>
        ChangeResponses.Created(await profiles.CreateAsync(request, ct), "/api/v1/profiles", () => NotFoundProblem.Profile(Guid.Empty));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, ProfileRequest request, ProfileService profiles, CancellationToken ct) =>
        ChangeResponses.NoContent(await profiles.UpdateAsync(id, request, ct), () => NotFoundProblem.Profile(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(Guid id, ProfileService profiles, CancellationToken ct) =>
        ChangeResponses.NoContent(await profiles.DeleteAsync(id, ct), () => NotFoundProblem.Profile(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AssignAsync(
        Guid id, AssignProfileRequest request, ProfileService profiles, CancellationToken ct) =>
        ChangeResponses.NoContent(await profiles.AssignAsync(id, request.DeviceIds ?? [], ct), () => NotFoundProblem.Profile(id));
}
